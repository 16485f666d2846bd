from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "pawpact.partners"
    label = "partners"
    verbose_name = _("Service partners")
    default_auto_field = "django.db.models.BigAutoField"
