"""A contract's timeline: everything that happened to it, newest first, in the shop's words.

Signing link and SMS code, start, WeChat Pay's pre-debit notices, every debit attempt
(retries included), messages to the customer, calls and visits, deferrals, holds, payment methods added, write-offs, the end.
Each source is one query.
"""
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from pawpact.billing.enums import AttemptStatus, JournalKind
from pawpact.billing.models import (
    CallTask,
    Contract,
    ContractHold,
    DebitAttempt,
    DebitPeriod,
    DeferralCoupon,
    Journal,
    PaymentMethod,
    SigningLink,
    Termination,
)
from pawpact.billing.services.pre_debit_notices import noticed_debit_day
from pawpact.billing.services.remote_signing import SIGNING_CODE_TOPIC
from pawpact.core.money import Money
from pawpact.messaging.models import Message

MESSAGES_SHOWN = 50


@dataclass(frozen=True)
class ContractFacts:
    """Rows both the timeline and the action panel show, read once."""

    coupons: list[DeferralCoupon]
    holds: list[ContractHold]
    methods: list[PaymentMethod]  # the customer's, newest first


def contract_facts(*, contract: Contract) -> ContractFacts:
    return ContractFacts(
        coupons=list(DeferralCoupon.objects.filter(contract=contract).select_related("used_on").order_by("id")),
        holds=list(ContractHold.objects.filter(contract=contract).select_related("placed_by", "released_by")),
        methods=list(PaymentMethod.objects.filter(customer_id=contract.customer_id).order_by("-id")),
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    tone: str = "neutral"


def _signing(contract: Contract) -> list[TimelineEntry]:
    entries = [TimelineEntry(contract.created_at, _("Application created"))]
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
    return entries


def _debits(contract: Contract) -> list[TimelineEntry]:
    entries = []
    for attempt in DebitAttempt.objects.filter(period__contract=contract).select_related("period"):
        values = {"n": attempt.period.number, "amount": Money(attempt.amount_minor, contract.currency).format()}
        if attempt.status == AttemptStatus.SUCCEEDED:
            text, tone = _("Period %(n)d debited: %(amount)s"), "ok"
        elif attempt.status == AttemptStatus.FAILED and attempt.number > 1:
            text, tone = _("Period %(n)d retry failed (%(amount)s)"), "bad"
        elif attempt.status == AttemptStatus.FAILED:
            text, tone = _("Period %(n)d debit failed (%(amount)s)"), "bad"
        else:
            text, tone = _("Period %(n)d debit in progress (%(amount)s)"), "warn"
        entries.append(TimelineEntry(attempt.finished_at or attempt.started_at, text % values, tone))
    return entries


def _notices(contract: Contract) -> list[TimelineEntry]:
    """What each of WeChat Pay's pre-debit notices announced: the amount and its debit day."""
    rail = contract.payment_method.rail if contract.payment_method_id else ""
    entries = []
    if contract.deposit_noticed_at:
        values = {"amount": Money(contract.deposit_minor, contract.currency).format(),
                  "date": noticed_debit_day(noticed_at=contract.deposit_noticed_at, rail=rail).isoformat()}  # fmt: skip
        entries.append(TimelineEntry(contract.deposit_noticed_at, _(
            "WeChat Pay's pre-debit notice sent: deposit %(amount)s, to be debited on %(date)s") % values))
    for period in DebitPeriod.objects.filter(contract=contract, pre_debit_noticed_at__isnull=False):
        day = noticed_debit_day(noticed_at=period.pre_debit_noticed_at, rail=rail, due_date=period.due_date)
        values = {"n": period.number, "amount": Money(period.amount_minor, period.currency).format(),
                  "date": day.isoformat()}  # fmt: skip
        entries.append(TimelineEntry(period.pre_debit_noticed_at, _(
            "WeChat Pay's pre-debit notice sent: period %(n)d %(amount)s, to be debited on %(date)s") % values))
    return entries


def message_text(message: Message) -> str:
    """What staff may read of a message: never a one-time signing code (staff must not sign)."""
    if message.topic == SIGNING_CODE_TOPIC:
        return _("Signing code sent to the customer's phone (hidden from staff)")
    return (message.subject or message.body)[:90]


def _contact(contract: Contract) -> list[TimelineEntry]:
    entries = []
    messages = Message.objects.filter(customer_id=contract.customer_id).only(
        "created_at", "channel", "subject", "body", "topic"
    )
    for message in messages[:MESSAGES_SHOWN]:
        entries.append(TimelineEntry(message.created_at, _("Message (%(channel)s): %(text)s") % {
            "channel": message.get_channel_display(), "text": message_text(message)}))  # fmt: skip
    for task in CallTask.objects.filter(period__contract=contract):
        entries.append(TimelineEntry(task.done_at or task.created_at, _("%(kind)s: %(status)s %(note)s") % {
            "kind": task.get_kind_display(), "status": task.get_status_display(), "note": task.outcome_note}))  # fmt: skip
    return entries


def _changes(contract: Contract, facts: ContractFacts) -> list[TimelineEntry]:
    entries = []
    for coupon in facts.coupons:
        entries.append(TimelineEntry(coupon.issued_at, _("Deferral coupon issued %(reason)s") % {"reason": coupon.reason}))
        if coupon.used_on:
            entries.append(TimelineEntry(coupon.used_at, _("Deferral coupon used: period %(n)d moved to %(date)s") % {
                "n": coupon.used_on.number, "date": coupon.used_on.due_date.isoformat()}, "warn"))  # fmt: skip
    for hold in facts.holds:
        entries.append(TimelineEntry(hold.placed_at, _("Shipments held by %(who)s: %(reason)s") % {
            "who": _who(hold.placed_by), "reason": hold.reason}, "warn"))  # fmt: skip
        if hold.released_at:
            entries.append(TimelineEntry(hold.released_at, _("Hold released by %(who)s") % {"who": _who(hold.released_by)}))
    for method in (method for method in facts.methods if method.created_at >= contract.created_at):
        entries.append(TimelineEntry(method.created_at, _("Payment method added: %(label)s") % {"label": method.shown_label}))
    for journal in Journal.objects.filter(contract=contract, kind=JournalKind.WRITE_OFF):
        entries.append(TimelineEntry(journal.created_at, _("Written off as bad debt: %(memo)s") % {"memo": journal.memo}, "bad"))
    return entries


def _who(user) -> str:
    return (user.name or user.email) if user is not None else _("the system")


def _end(contract: Contract) -> list[TimelineEntry]:
    termination = Termination.objects.filter(contract=contract).first() if contract.ended_at else None
    if termination is None:
        return [TimelineEntry(contract.ended_at, _("Contract ended: %(status)s") % {"status": contract.get_status_display()})] if contract.ended_at else []
    amounts = {"kind": termination.get_kind_display(), "refund": Money(termination.refund_minor, contract.currency).format(),
               "penalty": Money(termination.penalty_minor, contract.currency).format()}  # fmt: skip
    return [TimelineEntry(termination.executed_at, _("Ended: %(kind)s; refunded %(refund)s, penalty %(penalty)s") % amounts)]


def contract_timeline(*, contract: Contract, facts: ContractFacts | None = None) -> list[TimelineEntry]:
    """Everything that happened to the contract, newest first."""
    facts = facts or contract_facts(contract=contract)
    entries = [*_signing(contract), *_notices(contract), *_debits(contract), *_contact(contract),
               *_changes(contract, facts), *_end(contract)]  # fmt: skip
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
