"""The shop owner's settlements page, on the shop's own domain.

Reads public tables only, always filtered to request.tenant: a shop sees its own
payouts and statements, never another shop's (another shop's payout answers 404).
Only the shop's administrator (the owner's account in the shop, is_superuser) may see
them; other staff and customers get 403. The owner also gives the shop's payout account
here and has its provider verify it at once (an Alipay 分账 receiver bound under the
holder's name, a Stripe account with payouts enabled): a changed account is pending again
and is paid nothing until its provider accepts it.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, schema_context

from pawpact.accounts.models import User
from pawpact.core.errors import DomainError, ValidationFailed
from pawpact.platform.funding.payout_accounts import payout_account_set, payout_account_verify, shop_account_kinds
from pawpact.platform.funding.selectors import (
    advance_list,
    drained_at,
    funding_summary,
    payout_account_of,
    payout_form_initial,
    payout_get,
    payout_list,
)
from pawpact.platform.funding.terms import funding_terms_get
from pawpact.platform.funding.views import statement_response


def _owner_only(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


@login_required(login_url="account_login")
def shop_settlements(request):
    _owner_only(request)
    return _settlements_page(request)


def _settlements_page(request, *, typed=None, errors=None, status: int = 200):
    shop = request.tenant
    account = payout_account_of(shop_id=shop.pk)
    return render(
        request,
        "platform/funding/shop_settlements.html",
        {
            "shop": shop,
            "account_kinds": shop_account_kinds(),
            "typed": typed or payout_form_initial(shop_id=shop.pk, account=account),
            "account_errors": errors or {},
            "terms": funding_terms_get(shop_id=shop.pk),
            "summary": funding_summary(shop_id=shop.pk),
            "payouts": payout_list(shop_id=shop.pk)[:100],
            "advances": advance_list(shop_id=shop.pk)[:100],
            "payout_account": account,
            "drained_at": drained_at(shop_id=shop.pk),
        },
        status=status,
    )


@login_required(login_url="account_login")
@require_POST
def shop_payout_account_save(request):
    """Save the account the owner typed and ask its provider at once; a refused input is
    shown on the form as typed and writes nothing."""
    _owner_only(request)
    typed = {name: request.POST.get(name, "")[:255] for name in ("kind", "account_ref", "holder_name")}
    current = payout_account_of(shop_id=request.tenant.pk)
    if request.tenant.is_live and current is not None and current.is_verified:
        # A stolen owner login must not redirect live money: the platform changes it, after checking.
        messages.error(request, _("Live advances are paid into the verified account; "
                                  "to change it, ask the platform."))  # fmt: skip
        return _settlements_page(request, typed=typed, status=403)
    try:
        payout_account_set(shop=request.tenant, actor=_owner_account(request), **typed)
    except ValidationFailed as error:
        messages.error(request, error.message)
        return _settlements_page(request, typed=typed, errors=error.fields, status=400)
    return _verify(request)


@login_required(login_url="account_login")
@require_POST
def shop_payout_account_verify(request):
    _owner_only(request)
    return _verify(request)


def _owner_account(request) -> User:
    """The owner's platform account: the payout account is a public row, and the user logged in
    here is the shop's own copy of that account, in the shop's schema."""
    with schema_context(get_public_schema_name()):
        return User.objects.get(pk=request.tenant.owner_id)


def _verify(request):
    try:
        account = payout_account_verify(shop=request.tenant, actor=_owner_account(request))
    except DomainError as error:
        messages.error(request, error.message)  # not set up, or the provider unreachable: still pending
    else:
        if account.is_verified:
            messages.success(request, _("The provider accepted the payout account: advances can be paid into it."))
        else:
            messages.error(request, _("The provider refused the payout account; see why below."))
    return redirect("shop_settlements")


@login_required(login_url="account_login")
def shop_settlement_statement(request, payout_id: int, fmt: str):
    _owner_only(request)
    payout = payout_get(payout_id=payout_id, shop_id=request.tenant.pk)
    if payout is None:
        raise Http404
    return statement_response(payout=payout, fmt=fmt)


# Mounted at /settlements/ by pawpact.config.urls_tenant.
urlpatterns = [
    path("", shop_settlements, name="shop_settlements"),
    path("payout-account/", shop_payout_account_save, name="shop_payout_account_save"),
    path("payout-account/verify/", shop_payout_account_verify, name="shop_payout_account_verify"),
    re_path(r"^(?P<payout_id>\d+)/statement\.(?P<fmt>csv|pdf)$", shop_settlement_statement,
            name="shop_settlement_statement"),  # fmt: skip
]
