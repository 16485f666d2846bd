from corsheaders.signals import check_request_enabled
from django.apps import AppConfig
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "pawpact.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # By name: the module imports the models, which are not loaded when this file is.
        origin_allowed = import_string("pawpact.accounts.origins.origin_allowed")
        check_request_enabled.connect(origin_allowed, dispatch_uid="pawpact.accounts.origin_allowed")
