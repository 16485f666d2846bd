"""营销 Marketing · 储值 Stored value · one customer: the balance and movements, a top-up taken in
cash at the counter, and refunds of the paid part. A refund is shown back before money
leaves, with where each part goes (back to the payment method a top-up was paid with, or in
cash for top-ups paid at the counter); a part the provider did not confirm waits, holding
its amount, and is asked again from here or by the periodic run, never paid twice."""
import uuid as uuid_module

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.core.money import Money
from pawpact.customers.models import Customer
from pawpact.loyalty import stored_value, wallet_refunds
from pawpact.loyalty import wallet_selectors as selectors
from pawpact.loyalty.wallet_models import RefundLegStatus, StoredValueRefund
from pawpact.workspace.enums import Action
from pawpact.workspace.fields import YuanField
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import workspace_view
from pawpact.workspace.views.stored_value import SpendForm
from pawpact.workspace.views.wallet import SECTION


class RefundForm(forms.Form):
    amount = YuanField(label=gettext_lazy("Refund (¥)"))
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)


class CounterTopUpForm(forms.Form):
    amount = YuanField(label=gettext_lazy("Cash received (¥)"))
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)


def _new_key() -> str:
    return uuid_module.uuid4().hex


def _refund_asked(request, customer: Customer, form: RefundForm) -> tuple[dict | None, object]:
    """A valid refund request: (what to show back, None) before it is confirmed, else
    (None, the redirect) once done; a refusal lands on the form."""
    amount = form.cleaned_data["amount"]
    earlier = StoredValueRefund.objects.filter(customer=customer, request_key=form.cleaned_data["request_key"]).first()
    refundable = wallet_refunds.refundable_minor(customer=customer)
    if earlier is None and amount > refundable:
        form.add_error("amount", _("At most the paid part, %(paid)s, can be refunded.") % {"paid": Money(refundable).format()})
        return None, None
    if not form.cleaned_data["confirmed"] and earlier is None:
        account = selectors.stored_value_of(customer=customer)
        routes = wallet_refunds.routes_for(customer=customer, amount_minor=amount)
        return {"amount": amount, "routes": wallet_refunds.routes_summary(routes),
                "forfeit": account.gift_minor * amount // account.paid_minor if account.paid_minor else 0}, None  # fmt: skip
    done_before = _done_legs(earlier) if earlier else frozenset()
    try:
        refund = wallet_refunds.stored_value_refund(customer=customer, amount_minor=amount, key=form.cleaned_data["request_key"],
                                                    memo=f"refund by {request.user.email}")  # fmt: skip
    except DomainError as error:
        form_errors_apply(form, error)
        return None, None
    _refund_told(request, refund, done_before=done_before)
    return None, redirect("workspace:marketing_account", uuid=customer.uuid)


def _refund_told(request, refund: StoredValueRefund, *, done_before: frozenset = frozenset()) -> None:
    """What just happened to the money: legs done before this request are not told again
    (a cash part is handed over once)."""
    legs = [leg for leg in refund.legs.select_related("payment_method") if leg.pk not in done_before]
    done = [leg for leg in legs if leg.status == RefundLegStatus.REFUNDED]
    rail = sum(leg.amount_minor for leg in done if leg.payment_method_id)
    cash = sum(leg.amount_minor for leg in done if not leg.payment_method_id)
    waiting = sum(leg.amount_minor for leg in legs if leg.status == RefundLegStatus.PENDING)
    if rail:
        messages.success(request, _("%(amount)s went back to the payment methods the top-ups were paid with.")
                         % {"amount": Money(rail).format()})  # fmt: skip
    if cash:
        messages.success(request, _("Hand %(cash)s back to the customer in cash.") % {"cash": Money(cash).format()})
    if waiting:
        messages.warning(request, _("%(amount)s was not confirmed by the payment provider yet: it stays held and is "
                                    "asked again (try again below); it is never paid twice.") % {"amount": Money(waiting).format()})


def _done_legs(refund: StoredValueRefund) -> frozenset:
    return frozenset(refund.legs.filter(status=RefundLegStatus.REFUNDED).values_list("pk", flat=True))


@workspace_view(section=SECTION)
def account_detail(request, uuid):
    """One customer's balance, movements and refunds; a refund is asked, shown back, then confirmed."""
    customer = get_object_or_404(Customer, uuid=uuid)
    may_refund = role_allows(request.workspace_role, Action.MARKETING)
    form = RefundForm(request.POST or None, initial={"request_key": _new_key()})
    confirm = None
    if request.method == "POST" and may_refund and form.is_valid():
        confirm, done = _refund_asked(request, customer, form)
        if done is not None:
            return done
    return render(request, "workspace/marketing/account.html", {
        "customer": customer, "account": selectors.stored_value_of(customer=customer),
        "movements": selectors.movements_of(customer=customer)[:100], "refunds": selectors.refunds_of(customer=customer)[:50],
        "refundable": wallet_refunds.refundable_minor(customer=customer),
        "form": form, "may_refund": may_refund, "confirm": confirm,
        "spend_form": SpendForm(initial={"request_key": _new_key()}),
        "top_up_form": CounterTopUpForm(initial={"request_key": _new_key()}),
        "may_spend": role_allows(request.workspace_role, Action.CUSTOMER_EDIT),
    }, status=400 if form.errors else 200)  # fmt: skip


@require_POST
@workspace_view(Action.MARKETING, section=SECTION)
def refund_retry(request, uuid, refund_uuid):
    """Ask the provider again for the parts of a refund it did not confirm (same keys)."""
    refund = get_object_or_404(StoredValueRefund, uuid=refund_uuid, customer__uuid=uuid)
    done_before = _done_legs(refund)
    wallet_refunds.stored_value_refund_retry(refund=refund)
    _refund_told(request, refund, done_before=done_before)
    return redirect("workspace:marketing_account", uuid=uuid)


@require_POST
@workspace_view(Action.CUSTOMER_EDIT, section=SECTION)
def account_top_up(request, uuid):
    """Cash taken at the counter onto the customer's stored value (the gift rules apply), after
    the amount is shown back and confirmed; a refund of it is handed back in cash."""
    customer = get_object_or_404(Customer, uuid=uuid)
    form = CounterTopUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workspace:marketing_account", uuid=uuid)
    data = form.cleaned_data
    if not data["confirmed"]:
        return render(request, "workspace/marketing/top_up_confirm.html", {
            "customer": customer, "form": form, "amount": data["amount"], "gift": stored_value.gift_for(data["amount"]),
        })  # fmt: skip
    try:
        top = stored_value.topup_at_counter(customer=customer, amount_minor=data["amount"], request_key=data["request_key"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Topped up %(amount)s in cash, with %(gift)s on top.")
                         % {"amount": Money(top.amount_minor).format(), "gift": Money(top.gift_minor).format()})  # fmt: skip
    return redirect("workspace:marketing_account", uuid=uuid)
