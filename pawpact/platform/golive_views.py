"""The console page of a shop's money set-up: test or live mode, provider credentials, payout account."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.platform.funding.payout_accounts import payout_account_set, payout_account_verify, shop_account_kinds
from pawpact.platform.funding.selectors import payout_form_initial
from pawpact.platform.golive import credential_verify, go_live_checks, shop_back_to_test, shop_go_live
from pawpact.platform.models import PayoutAccount
from pawpact.platform.selectors import shop_list
from pawpact.tenants.credentials import PROVIDER_FIELDS, credential_save
from pawpact.tenants.enums import Provider
from pawpact.tenants.errors import LiveModeNotReady
from pawpact.tenants.models import ShopCredential

FIELD_LABELS = {
    "app_id": gettext_lazy("App id"), "mchid": gettext_lazy("Merchant id"), "appid": gettext_lazy("WeChat app id"),
    "cert_serial_no": gettext_lazy("Certificate serial number"), "plan_id": gettext_lazy("Entrusted-debit template id"),
    "access_key_id": gettext_lazy("AccessKey ID"), "sign_name": gettext_lazy("SMS signature name"),
    "template_code": gettext_lazy("SMS template code"),
    "intl_sign_name": gettext_lazy("International SMS signature name (optional)"),
    "intl_template_code": gettext_lazy("International SMS template code (optional)"), "esp": gettext_lazy("Email provider (postmark, sendgrid, brevo, resend)"),
    "from_email": gettext_lazy("Sender address"), "api_key": gettext_lazy("Email provider API key"),
    "app_private_key": gettext_lazy("App private key"), "alipay_public_key": gettext_lazy("Alipay public key"),
    "private_key": gettext_lazy("Merchant private key"), "apiv3_key": gettext_lazy("APIv3 key"), "access_key_secret": gettext_lazy("AccessKey secret"),
    "app_secret": gettext_lazy("Mini-program AppSecret"),
}  # fmt: skip
# The payout account's fields, named in a refusal but never part of a credential.
ACCOUNT_FIELD_LABELS = {"kind": gettext_lazy("Kind"), "account_ref": gettext_lazy("Account"),
                        "holder_name": gettext_lazy("Holder")}  # fmt: skip


def _page(request, shop, *, reason: str = "", typed=None, status: int = 200):
    # One form per provider, each with its own fields only: Alipay's form asks nothing of WeChat's.
    forms = [
        (value, label, [(name, FIELD_LABELS.get(name, name), name in PROVIDER_FIELDS[value][1])
                        for name in (*PROVIDER_FIELDS[value][0], *PROVIDER_FIELDS[value][1])])
        for value, label in Provider.choices if value in PROVIDER_FIELDS
    ]  # fmt: skip
    checks = go_live_checks(shop)
    account = PayoutAccount.objects.filter(shop=shop).first()
    context = {
        "shop": shop,
        "checks": checks,
        "ready": all(check.passed for check in checks),
        "unmet": sum(1 for check in checks if not check.passed),
        "credentials": ShopCredential.objects.filter(shop=shop),
        "provider_forms": forms,
        "account": account,
        "account_kinds": shop_account_kinds(),
        "reason": reason,
        "typed": typed or payout_form_initial(shop_id=shop.pk, account=account),
    }
    return render(request, "platform/shop_money.html", context, status=status)


# A refused switch of mode comes back to the shop's page with its reasons (messages) and the
# admin's reason as typed, kept for that one page view.
TYPED_KEY = "console_shop_money_refused"


@staff_member_required(login_url="account_login")
def console_shop_money(request, shop_id: int):
    shop = get_object_or_404(shop_list(), pk=shop_id)
    kept = request.session.pop(TYPED_KEY, None) or {}
    if kept.get("shop_id") != shop.pk:
        return _page(request, shop)
    return _page(request, shop, reason=kept.get("reason", ""))


SWITCH_ACTIONS = ("go-live", "back-to-test")


def _run(request, action, done: str) -> bool:
    try:
        action()
    except LiveModeNotReady as error:
        messages.error(request, error.message)  # it names what is missing; the checklist shows each
        return False
    except DomainError as error:
        labels = {**FIELD_LABELS, **ACCOUNT_FIELD_LABELS}
        details = str(_("; ")).join(
            _("%(field)s: %(message)s") % {"field": labels[name], "message": message} if name in labels
            else str(message) for name, messages_ in error.fields.items() for message in messages_
        )  # fmt: skip
        messages.error(request, f"{error.message} {details}".strip())
        return False
    messages.success(request, done)
    return True


@staff_member_required(login_url="account_login")
@require_POST
def console_shop_money_action(request, shop_id: int, action: str):
    shop = get_object_or_404(shop_list(), pk=shop_id)
    post, user = request.POST, request.user
    livemode = post.get("mode") == "live"
    actions = {
        "go-live": (lambda: shop_go_live(shop=shop, actor=user, reason=post.get("reason", "")),
                    _("The shop is now in live mode.")),
        "back-to-test": (lambda: shop_back_to_test(shop=shop, actor=user, reason=post.get("reason", "")),
                         _("The shop is back in test mode.")),
        "credentials": (lambda: credential_save(
            shop=shop, provider=post.get("provider", ""), livemode=livemode, actor=user,
            config={name: post.get(name, "") for name, _label in FIELD_LABELS.items()},
            secrets={name: post.get(name, "") for name, _label in FIELD_LABELS.items()},
        ), _("Credentials saved; verify them with the provider.")),
        "verify": (lambda: credential_verify(shop=shop, provider=post.get("provider", ""), livemode=livemode),
                   _("The provider was asked; see the result below.")),
        "payout-account": (lambda: payout_account_set(
            shop=shop, kind=post.get("kind", ""), account_ref=post.get("account_ref", ""),
            holder_name=post.get("holder_name", ""), actor=user,
        ), _("Payout account saved; verify it.")),
        "payout-account-verify": (lambda: payout_account_verify(shop=shop, actor=user),
                                  _("The provider was asked about the payout account; see its status below.")),
    }  # fmt: skip
    if action not in actions:
        messages.error(request, _("Unknown action."))
    elif not _run(request, *actions[action]):
        if action in SWITCH_ACTIONS:
            request.session[TYPED_KEY] = {"shop_id": shop.pk, "reason": post.get("reason", "")[:255]}
        elif action == "payout-account":
            # The form again with the account as typed: a refusal must not cost the admin their words.
            typed = {name: post.get(name, "")[:255] for name in ("kind", "account_ref", "holder_name")}
            return _page(request, shop, typed=typed, status=400)
    return redirect("console_shop_money", shop_id=shop.pk)
