"""Settings → Developers (owner): the shop's secret API keys for its servers. A new or rolled
key is shown whole in the answer to the form that made it, never stored to show again; the
list shows each key's last four characters only. In test mode the page also names the
test-mode WeChat mini-program's app id, which a developer needs for wx.login() codes and
which otherwise only the platform console shows."""
from uuid import UUID

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from pawpact.accounts.api_keys import api_key_create, api_key_list, api_key_revoke, api_key_roll
from pawpact.core.errors import DomainError
from pawpact.tenants.credentials import credential_get
from pawpact.tenants.enums import Provider
from pawpact.tenants.errors import CredentialsMissing
from pawpact.tenants.modes import current_livemode
from pawpact.workspace.enums import Action
from pawpact.workspace.views.frame import workspace_view


def _test_mini_program_app_id(shop_id: int) -> str:
    try:
        credentials = credential_get(shop_id=shop_id, provider=Provider.MINIPROGRAM, livemode=False)
    except CredentialsMissing:
        return ""
    return credentials.config.get("appid", "")


def _page(request, *, issued=None, error: str = "", status: int = 200):
    live = current_livemode()
    context = {
        "tab": "developers", "keys": api_key_list(), "issued": issued, "error": error, "livemode": live,
        "api_base": request.build_absolute_uri("/api/v1/"),
        "mini_program_app_id": "" if live else _test_mini_program_app_id(request.tenant.pk),
    }  # fmt: skip
    return render(request, "workspace/settings/developers.html", context, status=status)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        raise Http404 from None


@workspace_view(Action.SETTINGS, section="settings")
def settings_developers(request):
    if request.method != "POST":
        return _page(request)
    action = request.POST.get("action")
    try:
        if action == "create":
            issued = api_key_create(user=request.user, name=request.POST.get("name", ""), livemode=current_livemode())
        elif action in ("roll", "revoke"):
            key = get_object_or_404(api_key_list(), uuid=_uuid(request.POST.get("key", "")))
            if action == "revoke":
                api_key_revoke(key=key)
                messages.success(request, _("Key revoked: calls with it are refused from now on."))
                return _page(request)
            issued = api_key_roll(key=key, user=request.user, livemode=current_livemode())
        else:
            return _page(request, error=_("Choose what to do with the key."), status=400)
    except DomainError as error:
        return _page(request, error=error.message, status=400)
    response = _page(request, issued=issued)
    response["Cache-Control"] = "no-store"
    return response
