"""The customer's pages for referrals, the points mall and stored value (H5, 390 px first).

Each form carries a request key made when the page is drawn, so a double tap or a
resubmitted form redeems or tops up once. A refusal shows the service's message and
writes nothing."""
import uuid
from decimal import Decimal

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pawpact.billing.models import PaymentMethod
from pawpact.core.errors import DomainError
from pawpact.core.money import Money
from pawpact.customers.models import Customer
from pawpact.loyalty import mall, referrals, stored_value, wallet_refunds
from pawpact.loyalty.errors import OutOfStock
from pawpact.loyalty import wallet_selectors as selectors
from pawpact.loyalty.models import GiftRule, Membership
from pawpact.loyalty.wallet_models import MallItem

SESSION_CODE = "referral_code"


class YuanInput(forms.DecimalField):
    """Yuan with at most two decimals, cleaned to fen."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=9, decimal_places=2, min_value=Decimal("0.01"), **kwargs)
        self.widget.attrs.update({"inputmode": "decimal"})
        self.error_messages["max_decimal_places"] = gettext_lazy("Use at most 2 decimals (fen).")
        self.error_messages["min_value"] = gettext_lazy("Enter an amount above zero.")

    def clean(self, value):
        return int(super().clean(value) * 100)


class TopUpForm(forms.Form):
    amount = YuanInput(label=gettext_lazy("Amount (¥)"))
    payment_method = forms.ModelChoiceField(queryset=PaymentMethod.objects.none(), label=gettext_lazy("Pay with"),
                                            empty_label=None)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].queryset = PaymentMethod.objects.filter(customer=customer, is_active=True)
        self.fields["payment_method"].label_from_instance = lambda method: method.shown_label


class ClaimForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Referral code"), max_length=12)


def _customer(request) -> Customer | None:
    return Customer.objects.filter(user=request.user).first()


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"shop": request.tenant, **context}, status=status)


@login_required(login_url="account_login")
@require_http_methods(["GET", "POST"])
def my_referral(request):
    customer = _customer(request)
    if customer is None:
        return _page(request, "loyalty/my_referral.html", {"no_customer": True})
    form = ClaimForm(request.POST or None, initial={"code": request.session.get(SESSION_CODE, "")})
    if request.method == "POST" and form.is_valid():
        try:
            referrals.claim(newcomer=customer, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            request.session.pop(SESSION_CODE, None)
            messages.success(request, _("Code accepted: ¥200 comes off the deposit of your first plan."))
            return redirect("my_referral")
    code = referrals.code_for(customer=customer).code
    link = request.build_absolute_uri(reverse("referral_join", args=[code]))
    return _page(request, "loyalty/my_referral.html", {
        "code": code, "link": link, "qr": segno.make(link, error="m").svg_inline(scale=5, border=2, dark="#1f2933"),
        "summary": selectors.referral_summary(customer=customer), "form": form,
        "referred_by": getattr(customer, "referral", None),
        "referrals": selectors.referral_list().filter(referrer=customer)[:50],
    }, status=400 if form.errors else 200)  # fmt: skip


def referral_join(request, code: str):
    """The shared link: remember the code and offer it to the newcomer."""
    request.session[SESSION_CODE] = code.upper()[:12]
    if request.user.is_authenticated and _customer(request) is not None:
        return redirect("my_referral")
    return _page(request, "loyalty/referral_join.html", {"code": code.upper()[:12]})


@login_required(login_url="account_login")
@require_http_methods(["GET", "POST"])
def my_mall(request):
    customer = _customer(request)
    error = None
    if request.method == "POST" and customer is not None:
        item = MallItem.objects.filter(pk=request.POST.get("item"), active=True).first()
        method = PaymentMethod.objects.filter(pk=request.POST.get("payment_method") or 0, customer=customer).first()
        try:
            if item is None:
                raise OutOfStock(_("This item is no longer available."))
            mall.redeem(customer=customer, item=item, request_key=request.POST.get("request_key", ""), payment_method=method)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, _("Redeemed: %(name)s. Collect it at the shop.") % {"name": item.name})
            return redirect("my_mall")
    membership = Membership.objects.filter(customer=customer).first() if customer else None
    return _page(request, "loyalty/my_mall.html", {
        "no_customer": customer is None, "error": error, "request_key": uuid.uuid4().hex,
        "points": membership.points_balance if membership else 0, "items": selectors.mall_items_on_sale(),
        "methods": PaymentMethod.objects.filter(customer=customer, is_active=True) if customer else [],
        "redemptions": selectors.redemption_list(customer=customer)[:20] if customer else [],
    }, status=400 if error else 200)  # fmt: skip


@login_required(login_url="account_login")
@require_http_methods(["GET", "POST"])
def my_stored_value(request):
    customer = _customer(request)
    if customer is None:
        return _page(request, "loyalty/my_stored_value.html", {"no_customer": True})
    form = TopUpForm(request.POST or None, customer=customer, initial={"request_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            top = stored_value.topup(customer=customer, amount_minor=form.cleaned_data["amount"],
                                     payment_method=form.cleaned_data["payment_method"],
                                     request_key=form.cleaned_data["request_key"])  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Topped up %(amount)s, with %(gift)s on top.")
                             % {"amount": Money(top.amount_minor).format(), "gift": Money(top.gift_minor).format()})
            return redirect("my_stored_value")
    refundable = wallet_refunds.refundable_minor(customer=customer)
    routes = wallet_refunds.routes_for(customer=customer, amount_minor=refundable) if refundable > 0 else []
    return _page(request, "loyalty/my_stored_value.html", {
        "account": selectors.stored_value_of(customer=customer), "form": form,
        "rules": GiftRule.objects.filter(active=True), "movements": selectors.movements_of(customer=customer)[:50],
        "refundable": refundable, "refund_routes": wallet_refunds.routes_summary(routes),
        "refunds": selectors.refunds_of(customer=customer)[:20],
    }, status=400 if form.errors else 200)  # fmt: skip
