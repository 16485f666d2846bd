"""Reads for the contract list and the contract page (its timeline)."""
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Min, Q, QuerySet
from django.utils.translation import gettext as _

from pawpact.billing.enums import AttemptStatus, PeriodStatus
from pawpact.billing.models import CallTask, Contract, DebitAttempt, DeferralCoupon, SigningLink
from pawpact.core.money import Money
from pawpact.messaging.models import Message

OPEN_PERIOD_STATUSES = (
    PeriodStatus.SCHEDULED, PeriodStatus.REMINDED, PeriodStatus.ATTEMPTED, PeriodStatus.FAILED, PeriodStatus.RETRYING,
)  # fmt: skip


def contract_list(
    *, query: str = "", status: str = "", plan: str = "", standing: str = "", due_before: date | None = None,
    ending_soon_until: date | None = None,
) -> QuerySet[Contract]:  # fmt: skip
    """Contracts as the list's filters ask, newest first, each with its next open debit date."""
    contracts = Contract.objects.select_related("customer", "pet", "plan_version__plan").annotate(
        next_due=Min("periods_set__due_date", filter=Q(periods_set__status__in=OPEN_PERIOD_STATUSES))
    )
    if status:
        contracts = contracts.filter(status=status)
    if plan:
        contracts = contracts.filter(plan_version__plan__code=plan)
    if standing:
        contracts = contracts.filter(customer__standing=standing)
    if due_before:
        contracts = contracts.filter(next_due__lte=due_before)
    if ending_soon_until:
        contracts = contracts.filter(
            status="active", periods_set__number=F("periods"), periods_set__due_date__lte=ending_soon_until
        )
    query = (query or "").strip()
    if query:
        contracts = contracts.filter(
            Q(customer__name__icontains=query) | Q(customer__phone__contains=query) | Q(pet__name__icontains=query)
        )
    return contracts.order_by("-created_at", "-id")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    tone: str = "neutral"


def contract_timeline(*, contract: Contract) -> list[TimelineEntry]:
    """Everything that happened to the contract, newest first: signing, debits, messages, calls, deferrals."""
    entries: list[TimelineEntry] = [TimelineEntry(contract.created_at, _("Application created"))]
    for link in SigningLink.objects.filter(contract=contract):
        entries.append(TimelineEntry(link.created_at, _("Signing link made for %(phone)s") % {"phone": link.phone}))
        if link.opened_at:
            entries.append(TimelineEntry(link.opened_at, _("Customer opened the signing link")))
        if link.verified_at:
            entries.append(
                TimelineEntry(link.verified_at, _("Signed with the SMS code from %(ip)s") % {"ip": link.signed_ip}, "ok")
            )
    if contract.activated_at:
        entries.append(TimelineEntry(contract.activated_at, _("Contract in force"), "ok"))
    for attempt in DebitAttempt.objects.filter(period__contract=contract).select_related("period"):
        amount = Money(attempt.amount_minor, contract.currency).format()
        if attempt.status == AttemptStatus.SUCCEEDED:
            text, tone = _("Period %(n)d debited: %(amount)s"), "ok"
        elif attempt.status == AttemptStatus.FAILED:
            text, tone = _("Period %(n)d debit failed (%(amount)s)"), "bad"
        else:
            text, tone = _("Period %(n)d debit in progress (%(amount)s)"), "warn"
        entries.append(TimelineEntry(attempt.finished_at or attempt.started_at, text % {"n": attempt.period.number, "amount": amount}, tone))
    for message in Message.objects.filter(customer_id=contract.customer_id).only("created_at", "channel", "subject", "body", "topic")[:50]:
        entries.append(TimelineEntry(message.created_at, _("Message (%(channel)s): %(text)s") % {
            "channel": message.get_channel_display(), "text": (message.subject or message.body)[:90]}))  # fmt: skip
    for task in CallTask.objects.filter(period__contract=contract):
        entries.append(TimelineEntry(task.done_at or task.created_at, _("%(kind)s: %(status)s %(note)s") % {
            "kind": task.get_kind_display(), "status": task.get_status_display(), "note": task.outcome_note}))  # fmt: skip
    for coupon in DeferralCoupon.objects.filter(contract=contract):
        entries.append(TimelineEntry(coupon.used_at or coupon.issued_at, _("Deferral coupon used") if coupon.used_at else _("Deferral coupon issued")))
    if contract.ended_at:
        entries.append(TimelineEntry(contract.ended_at, _("Contract ended: %(status)s") % {"status": contract.get_status_display()}))
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
