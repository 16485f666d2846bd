from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "pawpact.care"
    label = "care"
    verbose_name = "Care"
    default_auto_field = "django.db.models.BigAutoField"
