"""The shop owner's settlements page, on the shop's own domain.

Reads public tables only, always filtered to request.tenant: a shop sees its own
payouts and statements, never another shop's (another shop's payout answers 404).
Only the shop's administrator (the owner's account in the shop, is_superuser) may see
them; other staff and customers get 403.
"""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, re_path

from pawpact.platform.funding.selectors import (
    advance_list,
    drained_at,
    funding_summary,
    payout_account_of,
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
    shop = request.tenant
    return render(
        request,
        "platform/funding/shop_settlements.html",
        {
            "shop": shop,
            "terms": funding_terms_get(shop_id=shop.pk),
            "summary": funding_summary(shop_id=shop.pk),
            "payouts": payout_list(shop_id=shop.pk)[:100],
            "advances": advance_list(shop_id=shop.pk)[:100],
            "payout_account": payout_account_of(shop_id=shop.pk),
            "drained_at": drained_at(shop_id=shop.pk),
        },
    )


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
    re_path(r"^(?P<payout_id>\d+)/statement\.(?P<fmt>csv|pdf)$", shop_settlement_statement,
            name="shop_settlement_statement"),  # fmt: skip
]
