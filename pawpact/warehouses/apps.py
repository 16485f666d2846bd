from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehousesConfig(AppConfig):
    """Partner cloud warehouses (public schema): who they are, their catalog and stock,
    which shops link to them, their callbacks and their SLA record. Shared by the
    platform console (onboarding) and every shop's storefront (selling, shipping)."""

    name = "pawpact.warehouses"
    label = "warehouses"
    verbose_name = _("Partner warehouses")
