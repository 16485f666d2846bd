"""The customer's own pages (mobile-first H5, 390 px): plans with their calendars, the
agreement, the payment method, a pet-loss report, messages.

Every page shows the logged-in customer's own contracts only (another customer's, or
another shop's, is a 404). Nothing here links to staff pages or the API.
"""
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.billing.activation_schedule import ActivationSchedule, activation_schedule_text, waiting_schedule
from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.holds import contract_holds
from pawpact.billing.models import Contract, DebitPeriod, PetLossReport
from pawpact.billing.services.dunning import contract_payment_method_replace
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.pet_loss_reports import pet_loss_report_submit
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.customers.models import Customer
from pawpact.messaging.models import Message
from pawpact.messaging.services import messages_mark_read
from pawpact.payments.enums import Rail
from pawpact.storefront.signing_views import TEST_CARDS

OPEN_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.ATTEMPTED, PeriodStatus.FAILED,
                 PeriodStatus.RETRYING, PeriodStatus.DEFERRED)  # fmt: skip


@dataclass(frozen=True)
class PlanView:
    contract: Contract
    periods: list[DebitPeriod]
    paid_minor: int
    remaining_minor: int
    next_period: DebitPeriod | None
    open_report: PetLossReport | None
    hold_message: str = ""
    schedule: ActivationSchedule | None = None  # a plan waiting for its rail's pre-debit notices

    @property
    def schedule_text(self) -> str:
        return activation_schedule_text(self.schedule, after_colon=True) if self.schedule else ""

    @property
    def is_active(self) -> bool:
        return self.contract.status == ContractStatus.ACTIVE


def _own_contracts(request):
    return Contract.objects.filter(customer__user=request.user)


def _plan_view(contract: Contract) -> PlanView:
    periods = list(contract.periods_set.all())
    paid = sum(period.amount_minor for period in periods if period.status == PeriodStatus.PAID)
    owed = [period for period in periods if period.status in OPEN_STATUSES]
    reports = [report for report in contract.pet_loss_reports.all() if report.status == "submitted"]
    held = contract_holds(contract=contract).message if contract.status == ContractStatus.ACTIVE else ""
    # A contract not yet active has no debit calendar: all of its cost is still to pay.
    remaining = sum(period.amount_minor for period in owed) if periods else contract.total_minor - paid
    return PlanView(contract, periods, paid, remaining, owed[0] if owed else None, reports[0] if reports else None,
                    held, waiting_schedule(contract))  # fmt: skip


@login_required(login_url="account_login")
def my_contracts(request):
    """The customer's plans: next debit, paid and remaining, the whole calendar, and what they can do."""
    return _plans_page(request)


def _plans_page(request, *, error: DomainError | None = None):
    contracts = (
        _own_contracts(request)
        .select_related("customer", "pet", "plan_version__plan", "payment_method")
        .prefetch_related(Prefetch("periods_set", queryset=DebitPeriod.objects.order_by("number")), "pet_loss_reports")
        .order_by("-created_at")
    )
    plans = [_plan_view(contract) for contract in contracts]
    context = {"plans": plans, "shop": request.tenant, "unread": _unread(request)}
    return render(request, "storefront/my_contracts.html", context, status=error.http_status if error else 200)


def _unread(request) -> int:
    return Message.objects.filter(customer__user=request.user, channel="in_app", read_at__isnull=True).count()


@login_required(login_url="account_login")
def my_agreement(request, uuid):
    contract = get_object_or_404(_own_contracts(request), uuid=uuid, signed_at__isnull=False)
    return attachment(agreement_pdf(contract), content_type="application/pdf", filename=f"agreement-{contract.uuid}.pdf")


class CardForm(forms.Form):
    card = forms.ChoiceField(label=gettext_lazy("New payment method"), choices=TEST_CARDS, widget=forms.RadioSelect)


@login_required(login_url="account_login")
def my_payment_method(request, uuid):
    """Another card for the plan's debits; late periods are retried with it at once."""
    contract = get_object_or_404(
        _own_contracts(request).select_related("customer", "payment_method", "plan_version__plan"), uuid=uuid
    )
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = payment_method_attach(customer=contract.customer, rail=Rail.SANDBOX, token=form.cleaned_data["card"])
            result = contract_payment_method_replace(contract=contract, payment_method=method)
        except DomainError as error:
            form.add_error(None, " ".join([error.message, *sum(error.fields.values(), [])]))
        else:
            paid = sum(1 for attempt in result.attempts if attempt.status == "succeeded")
            messages.success(request, _("Your plan is now paid with %(label)s.") % {"label": method.shown_label}
                             + (" " + _("Late payments collected: %(n)d.") % {"n": paid} if paid else ""))  # fmt: skip
            return redirect("my_contracts")
    context = {"shop": request.tenant, "contract": contract, "form": form, "is_active": contract.status == ContractStatus.ACTIVE}
    return render(request, "storefront/my_payment_method.html", context, status=400 if form.errors else 200)


class PetLossForm(forms.Form):
    evidence = forms.FileField(label=gettext_lazy("Evidence (a vet's certificate or a photo)"), required=False)
    note = forms.CharField(label=pgettext_lazy("incident", "What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


@login_required(login_url="account_login")
def my_pet_loss(request, uuid):
    """Tell the shop the pet died or was lost, with evidence; the shop ends the plan without penalty."""
    contract = get_object_or_404(_own_contracts(request).select_related("pet", "plan_version__plan"), uuid=uuid)
    form = PetLossForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pet_loss_report_submit(contract=contract, evidence=form.cleaned_data["evidence"],
                                   note=form.cleaned_data["note"], customer_user=request.user)  # fmt: skip
        except DomainError as error:
            for field, problems in error.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("Your report is with the shop. We are sorry for your loss."))
            return redirect("my_contracts")
    reports = PetLossReport.objects.filter(contract=contract)
    context = {"shop": request.tenant, "contract": contract, "form": form, "reports": reports,
               "is_active": contract.status == ContractStatus.ACTIVE}  # fmt: skip
    return render(request, "storefront/my_pet_loss.html", context, status=400 if form.errors else 200)


@login_required(login_url="account_login")
def my_messages(request):
    """Everything the shop sent the customer, newest first; in-app messages are read once shown."""
    customer = Customer.objects.filter(user=request.user).first()
    rows = list(Message.objects.filter(customer=customer).exclude(status="suppressed")[:100]) if customer else []
    if customer is not None:
        messages_mark_read(customer=customer)
    return render(request, "storefront/my_messages.html", {"shop": request.tenant, "rows": rows})



@login_required(login_url="account_login")
@require_POST
def my_contract_withdraw(request, uuid):
    """Withdraw an application or a signed contract that did not start; a held deposit is refunded.
    A refused move shows the service's message and changes nothing."""
    try:
        contract_withdraw(contract=get_object_or_404(_own_contracts(request), uuid=uuid), requested_by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _plans_page(request, error=error)
    messages.success(request, _("Your contract is withdrawn. Any deposit you paid is refunded."))
    return redirect("my_contracts")
