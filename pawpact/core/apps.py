from django.apps import AppConfig


class CoreConfig(AppConfig):
    """No models: Money, clock, errors, task decorators, shared templates."""

    name = "pawpact.core"
    label = "core"
