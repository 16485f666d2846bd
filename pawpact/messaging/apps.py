from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Every message the system sends a customer (SMS, in-app, email): stored, capped, visible."""

    name = "pawpact.messaging"
    label = "messaging"
    verbose_name = _("Messages")
