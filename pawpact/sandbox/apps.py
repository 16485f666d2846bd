from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    """The embedded default's external parties: real local implementations that keep
    their own state in the public schema, as the real providers keep theirs."""

    name = "pawpact.sandbox"
    label = "sandbox"
    verbose_name = _("Sandbox providers")
