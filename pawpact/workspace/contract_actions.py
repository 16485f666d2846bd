"""The contract page's actions: each one billing service, named by the URL's last part.

terminate (quote → confirm), cooling-off cancel, pet loss, deferral coupon (issue, use),
payment method (another saved one; or a link for the customer to add one), hold/release,
withdraw (a contract that never started).
A handler returns a response, or None for "back to the contract page".
"""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.models import Contract, DebitPeriod, PaymentMethod, PetLossReport, TerminationQuote
from pawpact.billing.services.contract_holds import contract_hold_place, contract_hold_release
from pawpact.billing.services.deferral import DEFERRABLE_STATUSES, deferral_coupon_issue, deferral_use
from pawpact.billing.services.dunning import contract_payment_method_replace
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.pet_loss_reports import pet_loss_report_accept, pet_loss_report_reject
from pawpact.billing.services.termination import (
    contract_cancel_cooling_off,
    contract_terminate_pet_loss,
    termination_execute,
    termination_quote,
)
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.core.clock import default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.workspace.selectors.timeline import ContractFacts

PAYMENT_LINK_TOPIC = "payment_method_link"


def contract_action_state(*, contract: Contract, facts: ContractFacts) -> dict:
    """What the action panel of an active contract offers."""
    coupons = facts.coupons
    return {
        "coupons": coupons,
        "unused_coupon": next((coupon for coupon in coupons if coupon.used_on_id is None), None),
        "may_issue_coupon": len(coupons) < billing_settings_get().deferrals_per_contract,
        "deferrable": list(
            DebitPeriod.objects.filter(contract=contract, status__in=DEFERRABLE_STATUSES).order_by("number")[:6]
        ),
        "other_methods": [m for m in facts.methods if m.is_active and m.pk != contract.payment_method_id],
        "hold": next((hold for hold in facts.holds if hold.released_at is None), None),
        "report": PetLossReport.objects.filter(contract=contract, status="submitted").first(),
    }


def _quote(request, contract):
    quote = termination_quote(contract=contract)
    return redirect(f"{reverse('workspace:contract_detail', args=[contract.uuid])}?quote={quote.pk}#actions")


def _terminate(request, contract):
    quote = get_object_or_404(TerminationQuote, pk=request.POST.get("quote") or 0, contract=contract)
    termination_execute(quote=quote, requested_by=request.user)
    messages.success(request, _("The contract is terminated as quoted."))


def _cooling_off(request, contract):
    contract_cancel_cooling_off(contract=contract, requested_by=request.user)
    messages.success(request, _("The contract is cancelled in its cooling-off period; everything paid is refunded."))


def _pet_loss(request, contract):
    contract_terminate_pet_loss(
        contract=contract, evidence=request.FILES.get("evidence"),
        evidence_note=request.POST.get("evidence_note", ""), requested_by=request.user,
    )  # fmt: skip
    messages.success(request, _("The contract ended without penalty (pet death or loss)."))


def _deferral_issue(request, contract):
    deferral_coupon_issue(contract=contract, reason=request.POST.get("reason", ""))
    messages.success(request, _("A deferral coupon is issued to this contract."))


def _deferral_use(request, contract):
    try:
        number = int(request.POST.get("period", ""))
    except ValueError:
        raise ValidationFailed(_("Some fields are invalid."), fields={"period": [_("Choose a period.")]}) from None
    period = deferral_use(contract=contract, period_number=number)
    messages.success(
        request, _("Period %(n)d moves to %(date)s; the later periods move a month too.") % {"n": number, "date": period.due_date}
    )


def _payment_method(request, contract):
    method = get_object_or_404(PaymentMethod, pk=request.POST.get("payment_method") or 0, customer_id=contract.customer_id)
    result = contract_payment_method_replace(contract=contract, payment_method=method)
    paid = sum(1 for attempt in result.attempts if attempt.status == "succeeded")
    messages.success(
        request, _("Debits now use %(label)s; %(paid)d late period(s) collected at once.") % {"label": method.shown_label, "paid": paid}
    )


def _payment_link(request, contract):
    """An SMS and in-app message with the page where the customer adds a card themselves."""
    url = request.build_absolute_uri(reverse("my_payment_method", args=[contract.uuid]))
    with translation.override(contract.customer.message_language):
        message_send(
            customer=contract.customer, topic=PAYMENT_LINK_TOPIC, category=Category.SERVICE,
            channels=[Channel.SMS, Channel.IN_APP], subject=_("Change your payment method"),
            body=_("%(shop)s: add or change the payment method of your %(plan)s plan here: %(url)s")
            % {"shop": request.tenant.name, "plan": contract.plan_version.plan.display_name, "url": url},
            dedupe_key=f"{PAYMENT_LINK_TOPIC}:{contract.uuid}:{default_clock.today().isoformat()}",
        )  # fmt: skip
    messages.success(request, _("The customer got a link to change the payment method on their phone."))


def _hold(request, contract):
    contract_hold_place(contract=contract, reason=request.POST.get("reason", ""), staff=request.user)
    messages.success(request, _("Shipments of this contract are on hold; debits continue."))


def _release(request, contract):
    contract_hold_release(contract=contract, staff=request.user)
    messages.success(request, _("The hold is released; the next box ships as planned."))


def _open_report(contract) -> PetLossReport:
    return get_object_or_404(PetLossReport, contract=contract, status="submitted")


def _report_accept(request, contract):
    pet_loss_report_accept(report=_open_report(contract), staff=request.user)
    messages.success(request, _("The report is accepted: the contract ended without penalty."))


def _report_reject(request, contract):
    pet_loss_report_reject(report=_open_report(contract), reason=request.POST.get("reason", ""), staff=request.user)
    messages.success(request, _("The customer can read why the report was not accepted."))


def _withdraw(request, contract):
    contract_withdraw(contract=contract, requested_by=request.user)
    messages.success(request, _("The contract is withdrawn; a held deposit is refunded."))


CONTRACT_ACTIONS = {
    "quote": _quote, "terminate": _terminate, "cooling-off": _cooling_off, "pet-loss": _pet_loss,
    "deferral-issue": _deferral_issue, "deferral-use": _deferral_use, "payment-method": _payment_method,
    "payment-link": _payment_link, "hold": _hold, "release": _release,
    "report-accept": _report_accept, "report-reject": _report_reject, "withdraw": _withdraw,
}  # fmt: skip
