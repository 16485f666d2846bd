"""Paid membership (付费会员): the shop's plans, joining, cancelling, and recording a charge.

Money follows the protocol of top-ups and debits: the PAYING charge with its idempotency
key is committed before the rail is called (outside any transaction); the rail's answer is
recorded once under the membership's row lock, with the journal `membership.paid:<key>`
(store cash against membership revenue) and the `membership.charged` event. A repeated
request key returns the same membership; an unknown outcome stays PAYING and is asked
again under the same key (pawpact.loyalty.paid_renewals), so money never moves twice.

A plan may offer a free trial, once per customer ever: the member joins without a charge
and the first charge falls on the trial's last day + 1, on the saved payment method.
Cancelling keeps the member until the paid period's end and refunds nothing, unless the
plan's refund rule gives the period back (pawpact.loyalty.paid_refunds).

Benefits combine with the member's tier (pawpact.loyalty.pricing, points, care): the goods
discount is the better of the tier's and the membership's, never both; on the member day
the shop's extra and the membership's extra come on top; the points multiplier is the
better of the two; free services are the membership's own monthly allowance, after the
tier's.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict, ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.months import add_months
from pawpact.core.text import written_in
from pawpact.customers.models import Customer
from pawpact.loyalty import wallet_rail
from pawpact.loyalty.errors import MembershipExists
from pawpact.loyalty.paid_models import LIVE, ChargeStatus, PaidCharge, PaidMembership, PaidPlan, PaidStatus
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.outbox.services import outbox_emit
from pawpact.payments.base import ChargeResult

MAX_PRICE_MINOR = 1_000_000  # ¥10,000
PERIODS = (1, 3, 12)
# A failed renewal is tried again after these delays, then the membership lapses.
RETRY_AFTER = (timedelta(days=1), timedelta(days=3))
TOPIC = "paid_membership"


# --- Plans ------------------------------------------------------------------------------------------


def _whole(data: dict, field: str, errors: dict, *, low: int, high: int) -> int:
    value = data.get(field, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
        return 0
    return value


def _multiplier(value, errors: dict) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number.as_tuple().exponent < -2 or not 1 <= number <= 10:
        errors["points_multiplier"] = [_("Enter a multiplier from 1 to 10 with at most 2 decimals.")]
        return Decimal(1)
    return number


def paid_plan_clean(data: dict) -> dict:
    """The plan's fields checked; ValidationFailed naming every wrong field otherwise."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 40:
        errors["name"] = [_("Enter a name of at most 40 characters.")]
    cleaned = {"name": name, "active": bool(data.get("active", True))}
    cleaned["price_minor"] = _whole(data, "price_minor", errors, low=1, high=MAX_PRICE_MINOR)
    if data.get("months") not in PERIODS:
        errors["months"] = [_("Choose a month, a quarter or a year.")]
    cleaned["months"] = data.get("months") if data.get("months") in PERIODS else 1
    cleaned["goods_discount_percent"] = _whole(data, "goods_discount_percent", errors, low=0, high=90)
    cleaned["member_day_extra_percent"] = _whole(data, "member_day_extra_percent", errors, low=0, high=90)
    cleaned["free_services_per_month"] = _whole(data, "free_services_per_month", errors, low=0, high=31)
    cleaned["trial_days"] = _whole(data, "trial_days", errors, low=0, high=31)
    cleaned["refund_days"] = _whole(data, "refund_days", errors, low=0, high=31)
    cleaned["points_multiplier"] = _multiplier(data.get("points_multiplier", 1), errors)
    if errors:
        raise ValidationFailed(_("The membership plan is not valid."), fields=errors)
    return cleaned


def paid_plan_save(*, plan: PaidPlan | None = None, **data) -> PaidPlan:
    """Create or change a plan. Members keep their price until they renew (a renewal charges
    the plan's price of that day); nothing is written when a field is wrong."""
    cleaned = paid_plan_clean(data)
    with transaction.atomic():
        if plan is None:
            return PaidPlan.objects.create(**cleaned)
        PaidPlan.objects.filter(pk=plan.pk).update(**cleaned)
    plan.refresh_from_db()
    return plan


# --- Joining ----------------------------------------------------------------------------------------


def membership_live(*, customer: Customer) -> PaidMembership | None:
    return PaidMembership.objects.select_related("plan").filter(customer=customer, status__in=LIVE).first()


def trial_available(*, customer: Customer) -> bool:
    """Whether a plan's free trial is still open to the customer (once per customer ever)."""
    return not PaidMembership.objects.filter(customer=customer, is_trial=True).exists()


def _key_check(key) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 80:
        raise ValidationFailed(_("A request needs a reference."), fields={"key": [_("Invalid.")]})
    return key.strip()


def charge_key(membership: PaidMembership, period_start: date, attempt: int) -> str:
    return f"membership:{membership.uuid}:{period_start.isoformat()}:{attempt}"


def _create(*, customer, plan, method, request_key, today: date, now) -> PaidMembership:
    trial = plan.trial_days > 0 and trial_available(customer=customer)
    if trial:
        return PaidMembership.objects.create(
            customer=customer, plan=plan, payment_method=method, request_key=request_key, status=PaidStatus.TRIALING,
            is_trial=True, period_start=today, period_end=today + timedelta(days=plan.trial_days), created_at=now,
        )  # fmt: skip
    membership = PaidMembership.objects.create(
        customer=customer, plan=plan, payment_method=method, request_key=request_key, status=PaidStatus.PAYING,
        period_start=today, period_end=add_months(today, plan.months), created_at=now,
    )  # fmt: skip
    PaidCharge.objects.create(membership=membership, payment_method=method, period_start=today,
                              amount_minor=plan.price_minor, charge_key=charge_key(membership, today, 1),
                              created_at=now)  # fmt: skip
    return membership


def paid_membership_join(*, customer: Customer, plan: PaidPlan | None, payment_method: PaymentMethod | None,
                         request_key: str, clock: Clock = default_clock) -> PaidMembership:  # fmt: skip
    """Join `plan`: a free trial when the plan has one and the customer never had one, else the
    first period charged now. Call outside a transaction. A repeated request key returns the
    same membership; a declined payment raises PaymentDeclined and leaves no live membership."""
    request_key = _key_check(request_key)
    membership = PaidMembership.objects.filter(customer=customer, request_key=request_key).first()
    if membership is None:
        if plan is None or not plan.active:
            raise ValidationFailed(_("Choose a membership the shop offers."), fields={"plan": [_("Not on sale.")]})
        method = wallet_rail.method_check(customer=customer, payment_method=payment_method)
        if membership_live(customer=customer) is not None:
            raise MembershipExists(_("You are a member already."))
        try:
            with transaction.atomic():
                membership = _create(customer=customer, plan=plan, method=method, request_key=request_key,
                                     today=clock.today(), now=clock.now())  # fmt: skip
        except IntegrityError:  # the same request, or another join, raced in
            membership = PaidMembership.objects.filter(customer=customer, request_key=request_key).first()
            if membership is None:
                raise MembershipExists(_("You are a member already.")) from None
    if membership.status == PaidStatus.PAYING:
        charge = membership.charges.filter(status=ChargeStatus.PAYING).first()
        if charge is not None:
            paid_charge_run(charge=charge, clock=clock)
        membership.refresh_from_db()
    if membership.status == PaidStatus.FAILED:
        raise wallet_rail.declined(membership.charges.order_by("-id").first().outcome)
    return membership


# --- Charges ------------------------------------------------------------------------------------------


def paid_charge_run(*, charge: PaidCharge, clock: Clock = default_clock) -> PaidCharge:
    """Ask the rail for the charge under its key (outside a transaction) and record the answer once."""
    method = charge.payment_method or charge.membership.payment_method
    result = wallet_rail.charge(payment_method=method, amount_minor=charge.amount_minor, key=charge.charge_key,
                                metadata={"membership_uuid": str(charge.membership.uuid)})  # fmt: skip
    return paid_charge_finish(charge_id=charge.pk, result=result, clock=clock)


def paid_charge_finish(*, charge_id: int, result: ChargeResult, clock: Clock = default_clock) -> PaidCharge:
    """Record the rail's answer once: paid starts or extends the membership, with its journal
    and event; failed ends a first charge, or counts a failed renewal (paid_renewals)."""
    if result.is_unknown:
        return PaidCharge.objects.get(pk=charge_id)
    with transaction.atomic():
        membership_id = PaidCharge.objects.values_list("membership_id", flat=True).get(pk=charge_id)
        membership = PaidMembership.objects.select_for_update().select_related("plan", "customer").get(pk=membership_id)
        charge = PaidCharge.objects.select_for_update().get(pk=charge_id)
        if charge.status != ChargeStatus.PAYING:
            return charge
        charge.status = ChargeStatus.PAID if result.succeeded else ChargeStatus.FAILED
        charge.outcome, charge.reference, charge.finished_at = result.outcome[:60], result.reference or "", clock.now()
        charge.save(update_fields=["status", "outcome", "reference", "finished_at"])
        if result.succeeded:
            _paid(membership, charge, clock=clock)
        elif membership.status == PaidStatus.PAYING:
            membership.status, membership.ended_at = PaidStatus.FAILED, clock.now()
            membership.save(update_fields=["status", "ended_at"])
        else:
            renewal_failed(membership, charge, clock=clock)
    return charge


def _paid(membership: PaidMembership, charge: PaidCharge, *, clock: Clock) -> None:
    renewal = membership.status != PaidStatus.PAYING
    paid_membership_apply(membership, charge)
    membership.save(update_fields=["status", "period_start", "period_end", "failed_renewals", "next_attempt_at"])
    journal_post(key=paid_journal_key(charge), kind=JournalKind.MEMBERSHIP_PAID, memo=paid_memo(membership, charge),
                 lines=paid_lines(charge))  # fmt: skip
    outbox_emit(kind=EventKind.MEMBERSHIP_CHARGED, aggregate_uuid=membership.uuid,
                payload=charged_payload(membership, charge, renewal=renewal, clock=clock),
                livemode=membership.payment_method.livemode)  # fmt: skip


# The pieces of a paid charge's record, shared with the batched renewal run
# (pawpact.loyalty.paid_renewal_batch) so both write the same rows.


def paid_membership_apply(membership: PaidMembership, charge: PaidCharge) -> None:
    """The membership as a paid charge leaves it (not saved): a renewal's period starts where
    the last one ended."""
    if membership.status != PaidStatus.PAYING:
        membership.period_start = charge.period_start
        membership.period_end = add_months(charge.period_start, membership.plan.months)
    membership.status, membership.failed_renewals, membership.next_attempt_at = PaidStatus.ACTIVE, 0, None


def paid_journal_key(charge: PaidCharge) -> str:
    return f"{JournalKind.MEMBERSHIP_PAID}:{charge.charge_key}"


def paid_memo(membership: PaidMembership, charge: PaidCharge) -> str:
    return f"membership {membership.plan.name} from {charge.period_start}, rail reference {charge.reference}"[:255]


def paid_lines(charge: PaidCharge) -> list[Line]:
    """Store cash in, against membership revenue."""
    return [Line(LedgerAccount.STORE_CASH, charge.amount_minor), Line(LedgerAccount.MEMBERSHIP_REVENUE, -charge.amount_minor)]


def charged_payload(membership: PaidMembership, charge: PaidCharge, *, renewal: bool, clock: Clock) -> dict:
    return {
        "membership_uuid": str(membership.uuid), "customer_uuid": str(membership.customer.uuid),
        "plan_name": membership.plan.name, "amount_minor": charge.amount_minor, "currency": "CNY",
        "period_start": charge.period_start.isoformat(), "renewal": renewal, "at": clock.now().isoformat(),
    }  # fmt: skip


def renewal_failed(membership: PaidMembership, charge: PaidCharge, *, clock: Clock) -> None:
    """A renewal the rail declined: tried again later (the benefits stay meanwhile), then the
    membership lapses; the member is told each time (a service message, never capped)."""
    membership.failed_renewals += 1
    name, amount = membership.plan.name, f"¥{charge.amount_minor / 100:.2f}"
    if membership.failed_renewals > len(RETRY_AFTER):
        membership.status, membership.ended_at, membership.next_attempt_at = PaidStatus.LAPSED, clock.now(), None
        membership_ended_emit(membership, reason="lapsed", clock=clock)
        body = written_in(membership.customer.language,
                          f"会员「{name}」续费 {amount} 未能扣款成功，会员资格已结束。您可随时重新开通。",
                          f"The renewal of your membership \"{name}\" ({amount}) could not be charged; the membership "
                          f"has ended. You can join again at any time.")  # fmt: skip
    else:
        retry_at = clock.now() + RETRY_AFTER[membership.failed_renewals - 1]
        membership.status, membership.next_attempt_at = PaidStatus.PAST_DUE, retry_at
        day = retry_at.date().isoformat()
        body = written_in(membership.customer.language,
                          f"会员「{name}」续费 {amount} 扣款失败，将于 {day} 再次尝试；请确认支付方式可用。",
                          f"The renewal of your membership \"{name}\" ({amount}) failed; we will try again on {day}. "
                          f"Please check your payment method.")  # fmt: skip
    membership.save(update_fields=["status", "failed_renewals", "next_attempt_at", "ended_at"])
    with translation.override(membership.customer.message_language):
        message_send(customer=membership.customer, topic=TOPIC, category=Category.SERVICE,
                     channels=(Channel.IN_APP.value, Channel.SMS.value), subject=_("Membership renewal failed"),
                     body=body,
                     dedupe_key=f"membership-renewal:{charge.charge_key}", clock=clock)  # fmt: skip


def membership_ended_emit(membership: PaidMembership, *, reason: str, clock: Clock) -> None:
    outbox_emit(kind=EventKind.MEMBERSHIP_ENDED, aggregate_uuid=membership.uuid, payload={
        "membership_uuid": str(membership.uuid), "customer_uuid": str(membership.customer.uuid),
        "plan_name": membership.plan.name, "reason": reason, "at": clock.now().isoformat(),
    }, livemode=membership.payment_method.livemode)  # fmt: skip


# --- Resuming -----------------------------------------------------------------------------------------


def paid_membership_resume(*, membership: PaidMembership) -> PaidMembership:
    """Undo a cancellation before the period's end: it renews again."""
    with transaction.atomic():
        locked = PaidMembership.objects.select_for_update().get(pk=membership.pk)
        if locked.status not in LIVE:
            raise Conflict(_("This membership has ended already."))
        locked.cancel_at_period_end, locked.cancelled_at = False, None
        locked.save(update_fields=["cancel_at_period_end", "cancelled_at"])
    return locked
