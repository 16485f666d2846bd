"""Dunning (催收): retries by decline type, escalation, default and write-off, the daily run.

Retries. A failed debit leaves its period FAILED (pawpact.billing.services.debits);
`period_failure_handle` then looks at the last attempt's decline type:
- soft (insufficient funds…): the period becomes RETRYING with `next_retry_on` the
  first of due_date + BillingSettings.retry_days (default 1, 3, 5) after the day of
  the last attempt (never before today: a missed run catches up). When no retry day
  is left, the period stays FAILED with no next retry.
- hard (declined by the bank, invalid method): no retry; the customer gets a service
  message asking for a new payment method (topic "payment_method_needed", SMS and
  in-app, once per failed attempt). `contract_payment_method_replace` attaches a new
  method to an ACTIVE contract and retries its late periods at once.
Retries go through `period_collect`, so every attempt is recorded and a period is
paid at most once (its partial unique indexes); a paid period is never retried.

Escalation and the staff call queue: escalation.py.

Default and write-off. When the customer's standing is DEFAULT, every active contract
of theirs with an overdue period is ended through the termination service
(`termination.contract_default`: later periods cancelled, overdue ones stay owed).
Owed periods `write_off_after_days` old are written off, for what the deposit did not
pay of them (termination applies a held deposit on default): journal
"writeoff:<period id>" (BAD_DEBT +amount, RECEIVABLE −amount) and, since the month's
revenue was deferred and never earned, "writeoff.revenue_reversed:<period id>"
(DEFERRED_REVENUE +amount, BAD_DEBT −amount): nothing is left deferred for a month
that will never be delivered, and the receivable and deferred revenue stay equal (the
ledger check proves it). The period becomes WRITTEN_OFF, with an outbox row
"period.written_off" (same payload as period.overdue, the amount written off) so the
platform can count bad debt.

`dunning_run_shop` runs all of it for the current shop; every step is idempotent,
so running it twice a day sends, retries and creates nothing twice.
"""
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import (
    AttemptStatus,
    ContractStatus,
    JournalKind,
    LedgerAccount,
    PeriodStatus,
)
from pawpact.billing.errors import DebitInFlight, IllegalTransition, InvalidPaymentMethod
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import BillingSettings, Contract, DebitAttempt, DebitPeriod, PaymentMethod
from pawpact.billing.selectors import rails_allowed_q
from pawpact.billing.services import termination
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.deferral import SETTLED_STATUSES, deferred_periods_release
from pawpact.billing.services.escalation import customer_escalate, message_exists
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.standing import (
    DELINQUENT_STATUSES,
    customer_standing_refresh,
    customers_to_refresh_q,
    delinquent_periods_q,
    period_event_payload,
)
from pawpact.billing.clock_scope import clock_scope_q, customer_scope_q
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError, ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.money import Money
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.outbox.services import outbox_emit
from pawpact.payments.enums import DeclineType
from pawpact.payments.policies import amount_allowed, policy_for

logger = logging.getLogger(__name__)

PAYMENT_METHOD_NEEDED_TOPIC = "payment_method_needed"


def write_off_key(period: DebitPeriod) -> str:
    return f"writeoff:{period.pk}"


def write_off_reversal_key(period: DebitPeriod) -> str:
    return f"writeoff.revenue_reversed:{period.pk}"


# --- Retries ---------------------------------------------------------------------------------


def retry_next_on(*, due_date: date, retry_days: list[int], last_attempt_on: date, today: date) -> date | None:
    """The next retry day after the last attempt (not before today), or None when none is left."""
    for offset in sorted(int(day) for day in retry_days):
        day = due_date + timedelta(days=offset)
        if day > last_attempt_on:
            return max(day, today)
    return None


@dataclass(frozen=True)
class FailureHandled:
    period: DebitPeriod
    decline_type: str
    next_retry_on: date | None
    changed: bool  # False when a rerun found it handled already


def period_failure_handle(
    *, period_id: int, settings: BillingSettings | None = None, clock: Clock = default_clock
) -> FailureHandled | None:
    """Schedule the retry of a FAILED period (soft decline) or ask for a new payment method
    (hard decline). Anything else (paid, retrying, not active) is left alone: None."""
    settings = settings or billing_settings_get()
    with transaction.atomic():
        period = (
            DebitPeriod.objects.select_for_update(of=("self",))
            .select_related("contract__customer", "contract__plan_version__plan")
            .get(pk=period_id)
        )
        if period.status != PeriodStatus.FAILED or period.contract.status != ContractStatus.ACTIVE:
            return None
        last = period.attempts.order_by("-number").first()
        if last is None or last.status != AttemptStatus.FAILED:
            return None
        if last.decline_type == DeclineType.HARD:
            next_on = None
        else:
            next_on = retry_next_on(
                due_date=period.due_date,
                retry_days=settings.retry_days,
                last_attempt_on=timezone.localdate(last.started_at, timezone=timezone.get_default_timezone()),
                today=clock.today(),
            )
        if next_on is not None:
            period.status = PeriodStatus.RETRYING
        changed = (period.status, period.next_retry_on) != (PeriodStatus.FAILED, next_on)
        if changed:
            period.next_retry_on = next_on
            period.save(update_fields=["status", "next_retry_on"])
    if last.decline_type == DeclineType.HARD:
        changed = _payment_method_needed_send(period=period, attempt=last, clock=clock)
    return FailureHandled(
        period=period, decline_type=last.decline_type or DeclineType.SOFT, next_retry_on=next_on, changed=changed
    )


def _payment_method_needed_send(*, period: DebitPeriod, attempt: DebitAttempt, clock: Clock) -> bool:
    """Once per hard-declined attempt; True if sent now."""
    contract = period.contract
    key = f"{PAYMENT_METHOD_NEEDED_TOPIC}:{attempt.idempotency_key}"
    if message_exists(key):
        return False
    with translation.override(contract.customer.message_language):
        message_send(
            customer=contract.customer,
            topic=PAYMENT_METHOD_NEEDED_TOPIC,
            category=Category.SERVICE,
            channels=[Channel.SMS, Channel.IN_APP],
            subject=_("Please add a new payment method"),
            body=_(
                "Your bank declined the debit of %(amount)s for period %(number)d of %(periods)d of your "
                "%(plan)s plan (due %(date)s). Please add a new payment method in the app: we will "
                "retry as soon as you do."
            )
            % {
                "amount": Money(period.amount_minor, period.currency).format(),
                "number": period.number,
                "periods": contract.periods,
                "plan": contract.plan_version.plan.display_name,
                "date": period.due_date.isoformat(),
            },
            dedupe_key=key,
            clock=clock,
        )
    return True


def retries_due_list(*, clock: Clock = default_clock) -> QuerySet[DebitPeriod]:
    """RETRYING periods whose retry day has come, on an active contract, rail open now,
    no attempt in flight."""
    now = clock.now()
    in_flight = DebitAttempt.objects.filter(period=OuterRef("pk"), status=AttemptStatus.STARTED)
    return (
        DebitPeriod.objects.filter(
            clock_scope_q(clock),
            status=PeriodStatus.RETRYING,
            next_retry_on__lte=clock.today(),
            contract__status=ContractStatus.ACTIVE,
            contract__payment_method__is_active=True,
        )
        .filter(rails_allowed_q(at=now))
        .filter(~Exists(in_flight))
        .order_by("next_retry_on", "id")
    )


def period_retry(
    *, period: DebitPeriod, settings: BillingSettings | None = None, clock: Clock = default_clock
) -> DebitAttempt | None:
    """One retry of a late period, recorded; a failure is scheduled again. None if it could
    not be tried now (changed meanwhile, rail closed)."""
    try:
        attempt = period_collect(period=period, clock=clock)
    except DomainError as error:
        logger.info("Retry of period %s not possible now: %s", period.pk, error)
        return None
    if attempt.status == AttemptStatus.FAILED:
        period_failure_handle(period_id=period.pk, settings=settings, clock=clock)
    return attempt


# --- A new payment method for an active contract ------------------------------------------------


@dataclass
class PaymentMethodReplaced:
    contract: Contract
    attempts: list[DebitAttempt] = field(default_factory=list)  # the retries made at once


def contract_payment_method_replace(
    *,
    contract: Contract,
    payment_method: PaymentMethod,
    settings: BillingSettings | None = None,
    clock: Clock = default_clock,
) -> PaymentMethodReplaced:
    """Debit an ACTIVE contract from another saved method from now on, and retry its late
    (failed or retrying) periods at once, oldest first, stopping at the first failure."""
    settings = settings or billing_settings_get()
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)
        if locked.status != ContractStatus.ACTIVE:
            raise IllegalTransition(
                _("Only an active contract's payment method can be replaced; this one is %(status)s.")
                % {"status": ContractStatus(locked.status).label.lower()}
            )
        method = PaymentMethod.objects.filter(pk=payment_method.pk).first()
        _replacement_check(contract=locked, payment_method=method)
        # Lock the unpaid periods: the debit run skips them until this commits, and an attempt
        # already in flight (its rail call carries the old method) must finish first.
        list(
            DebitPeriod.objects.select_for_update(of=("self",))
            .filter(contract=locked)
            .exclude(status__in=SETTLED_STATUSES)
            .values_list("pk", flat=True)
        )
        if DebitAttempt.objects.filter(period__contract=locked, status=AttemptStatus.STARTED).exists():
            raise DebitInFlight(
                _("A debit of this contract is being processed; try again in a few minutes.")
            )
        locked.payment_method = method
        locked.save(update_fields=["payment_method"])
    result = PaymentMethodReplaced(contract=locked)
    late = DebitPeriod.objects.filter(
        contract=locked, status__in=DELINQUENT_STATUSES, due_date__lte=clock.today()
    ).order_by("number")
    for period in late:
        attempt = period_retry(period=period, settings=settings, clock=clock)
        if attempt is None:
            break
        result.attempts.append(attempt)
        if attempt.status != AttemptStatus.SUCCEEDED:
            break
    customer_standing_refresh(customer=locked.customer, settings=settings, clock=clock)
    return result


def _replacement_check(*, contract: Contract, payment_method: PaymentMethod | None) -> None:
    if payment_method is None or payment_method.customer_id != contract.customer_id:
        raise InvalidPaymentMethod.on_field(_("This payment method belongs to another customer."))
    if not payment_method.is_active:
        raise InvalidPaymentMethod.on_field(_("This payment method has been removed."))
    if not amount_allowed(amount_minor=contract.monthly_amount_minor, policy=policy_for(payment_method.rail)):
        raise InvalidPaymentMethod.on_field(
            _("The monthly amount of %(amount)s is above this payment method's limit per debit.")
            % {"amount": Money(contract.monthly_amount_minor, contract.currency).format()}
        )


# --- Default and write-off -------------------------------------------------------------------------


def period_write_off_by_staff(*, period: DebitPeriod, reason: str, staff: User, clock: Clock = default_clock) -> DebitPeriod:
    """Staff write an owed period off before the automatic horizon, saying why (kept on the journal)."""
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 150:
        raise ValidationFailed(_("Some fields are invalid."), fields={"reason": [_("Give the reason in 5 to 150 characters.")]})
    return period_write_off(period=period, note=f"{reason} ({staff.email})", clock=clock)


def period_write_off(*, period: DebitPeriod, note: str = "", clock: Clock = default_clock) -> DebitPeriod:
    """Write an owed period off as bad debt, once: journal, WRITTEN_OFF, outbox row."""
    with transaction.atomic():
        locked = (
            DebitPeriod.objects.select_for_update(of=("self",))
            .select_related("contract__customer")
            .get(pk=period.pk)
        )
        if locked.status == PeriodStatus.WRITTEN_OFF:
            return locked
        if locked.status not in DELINQUENT_STATUSES:
            raise IllegalTransition(
                _("Only an unpaid, failed period can be written off; period %(number)d is %(status)s.")
                % {"number": locked.number, "status": PeriodStatus(locked.status).label.lower()}
            )
        contract = locked.contract
        amount = locked.amount_minor - locked.deposit_applied_minor
        journal_post(
            key=write_off_key(locked),
            kind=JournalKind.WRITE_OFF,
            lines=[Line(LedgerAccount.BAD_DEBT, amount), Line(LedgerAccount.RECEIVABLE, -amount)],
            currency=locked.currency,
            contract=contract,
            memo=f"period {locked.number} written off, due {locked.due_date.isoformat()}{': ' + note if note else ''}"[:255],
        )
        journal_post(
            key=write_off_reversal_key(locked),
            kind=JournalKind.WRITE_OFF_REVENUE_REVERSED,
            lines=[Line(LedgerAccount.DEFERRED_REVENUE, amount), Line(LedgerAccount.BAD_DEBT, -amount)],
            currency=locked.currency,
            contract=contract,
            memo=f"period {locked.number}: deferred revenue never earned, reversed",
        )
        locked.status = PeriodStatus.WRITTEN_OFF
        locked.next_retry_on = None
        locked.save(update_fields=["status", "next_retry_on"])
        payload = period_event_payload(period=locked, customer=contract.customer, at=clock.now())
        outbox_emit(
            kind=EventKind.PERIOD_WRITTEN_OFF,
            aggregate_uuid=contract.uuid,
            payload={**payload, "amount_minor": amount},
            livemode=contract.livemode,
        )
    return locked


def customer_contracts_default(*, customer: Customer, clock: Clock = default_clock) -> list[Contract]:
    """End (as defaulted) every active contract of a customer in default that has an overdue period."""
    if customer.standing != CustomerStanding.DEFAULT:
        return []
    contracts = Contract.objects.filter(
        customer=customer,
        status=ContractStatus.ACTIVE,
        periods_set__status__in=DELINQUENT_STATUSES,
        periods_set__overdue_since__isnull=False,
    ).distinct()
    ended = []
    for contract in contracts:
        try:
            termination.contract_default(contract=contract, clock=clock)
        except DomainError as error:  # e.g. a debit in flight: the next run tries again
            logger.info("Contract %s not defaulted now: %s", contract.uuid, error)
            continue
        # Nothing is retried on a defaulted contract: what it owes waits for write-off.
        DebitPeriod.objects.filter(contract=contract, status=PeriodStatus.RETRYING).update(
            status=PeriodStatus.FAILED, next_retry_on=None
        )
        ended.append(contract)
    return ended


def write_offs_due_list(*, settings: BillingSettings, clock: Clock = default_clock) -> QuerySet[DebitPeriod]:
    """Owed periods `write_off_after_days` old or older (on active or defaulted contracts)."""
    horizon = clock.today() - timedelta(days=settings.write_off_after_days)
    return (
        DebitPeriod.objects.filter(delinquent_periods_q(), clock_scope_q(clock), due_date__lte=horizon)
        .exclude(status=PeriodStatus.ATTEMPTED)
        .order_by("due_date", "id")
    )


# --- The daily run ------------------------------------------------------------------------------------


@dataclass
class DunningReport:
    released: int = 0  # deferred periods scheduled again
    failures: int = 0  # failed periods handled (retry scheduled or payment method asked)
    retried: int = 0
    recovered: int = 0  # retries that paid
    customers: int = 0  # customers whose standing was refreshed
    sms: int = 0
    tasks: int = 0
    coupons: int = 0
    defaulted: int = 0
    written_off: int = 0


def dunning_run_shop(*, clock: Clock = default_clock) -> DunningReport:
    """Everything dunning does for the current shop today. Safe to run any number of times."""
    settings = billing_settings_get()
    report = DunningReport()
    report.released = deferred_periods_release(settings=settings, clock=clock)

    failed = DebitPeriod.objects.filter(clock_scope_q(clock), status=PeriodStatus.FAILED, contract__status=ContractStatus.ACTIVE)
    for period_id in list(failed.values_list("pk", flat=True)):
        handled = period_failure_handle(period_id=period_id, settings=settings, clock=clock)
        report.failures += handled is not None and handled.changed

    for period in list(retries_due_list(clock=clock).select_related("contract")):
        attempt = period_retry(period=period, settings=settings, clock=clock)
        if attempt is not None:
            report.retried += 1
            report.recovered += attempt.status == AttemptStatus.SUCCEEDED

    touched: set[int] = set()
    for customer in list(Customer.objects.filter(customers_to_refresh_q(), customer_scope_q(clock)).order_by("pk")):
        refresh = customer_standing_refresh(customer=customer, settings=settings, clock=clock)
        report.customers += 1
        escalation = customer_escalate(refresh=refresh, settings=settings, clock=clock)
        report.sms += escalation.sms
        report.tasks += escalation.tasks
        report.coupons += escalation.coupons
        defaulted = customer_contracts_default(customer=refresh.customer, clock=clock)
        report.defaulted += len(defaulted)
        if defaulted:
            touched.add(customer.pk)

    for period in list(write_offs_due_list(settings=settings, clock=clock).select_related("contract")):
        period_write_off(period=period, clock=clock)
        report.written_off += 1
        touched.add(period.contract.customer_id)

    for customer in Customer.objects.filter(pk__in=touched).order_by("pk"):
        customer_standing_refresh(customer=customer, settings=settings, clock=clock)
        report.defaulted += len(customer_contracts_default(customer=customer, clock=clock))
    return report
