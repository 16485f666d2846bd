"""The customer's "My coupons" page on the shop's host (H5): usable coupons first, and a
plan coupon (amount off, first month half price, deferral) used on one of their plans."""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import CouponStatus
from pawpact.loyalty.coupon_selectors import STATE_EXPIRED, customer_coupons
from pawpact.loyalty.coupons import CONTRACT_KINDS, coupon_apply_to_contract


def _customer(request) -> Customer:
    customer = Customer.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if customer is None:
        raise Http404
    return customer


@login_required(login_url="account_login")
def my_coupons(request):
    customer = _customer(request)
    usable, past = [], []
    for coupon in customer_coupons(customer=customer):
        coupon.for_plans = coupon.template.kind in CONTRACT_KINDS
        (usable if coupon.state == CouponStatus.ISSUED else past).append(coupon)
    contracts = Contract.objects.filter(customer=customer, status=ContractStatus.ACTIVE).select_related("pet")
    return render(request, "loyalty/my_coupons.html", {
        "shop": request.tenant, "usable": usable, "past": past, "contracts": list(contracts),
        "expired": STATE_EXPIRED,
    })  # fmt: skip


@require_POST
@login_required(login_url="account_login")
def my_coupon_use(request):
    customer = _customer(request)
    contract = Contract.objects.filter(customer=customer, uuid=request.POST.get("contract") or None).first() \
        if _is_uuid(request.POST.get("contract", "")) else None  # fmt: skip
    if contract is None:
        messages.error(request, _("Choose one of your plans."))
        return redirect("my_coupons")
    try:
        coupon_apply_to_contract(customer=customer, code=request.POST.get("code", ""), contract=contract)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The coupon is applied to your plan's next debit."))
    return redirect("my_coupons")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True
