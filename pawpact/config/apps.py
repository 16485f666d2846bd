from django.apps import AppConfig

from pawpact.config.metrics import collector_register


class ConfigConfig(AppConfig):
    """Installed for its management commands (load_demo): config sits above every app."""

    name = "pawpact.config"
    label = "config"

    def ready(self):
        collector_register()
