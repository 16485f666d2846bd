from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "pawpact.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from pawpact.accounts.origins import origin_allowed

        check_request_enabled.connect(origin_allowed, dispatch_uid="pawpact.accounts.origin_allowed")
