"""Writes of the shops' subscription to Pawpact: plans, trial, invoices, charges, states.

State machine (one transition function, rows locked with select_for_update):

    trialing ──paid──▶ active ──charge failed──▶ past_due ──grace over──▶ read_only
        └──charge failed──▶ past_due ──paid──▶ active ◀──paid── read_only

Billing (the daily run, `subscription_bill` per shop):
- when a trialing/active subscription's period has ended (`current_period_end` ≤ today),
  an invoice is issued for the next month (unique per shop and period start; the
  period starts on the issue day, so a shop that was read-only is not billed for
  the months it could not use) and posted to the platform ledger
  (SAAS_RECEIVABLE / SAAS_REVENUE);
- the invoice is charged through the subscription's payment adapter. Paid: the
  platform ledger takes the cash (CASH / SAAS_RECEIVABLE), the period advances and
  the shop is active. Failed: the shop is past_due with `grace_until` = today +
  grace days (the last day of grace), retried once a day; the first run after
  `grace_until` makes it read_only, and automatic retries stop there. The owner can
  change the payment method and pay at any time, which makes the shop active again.

Charging follows the debit protocol: a STARTED marker (`rail_reference` =
"pending:<key>") is committed before the provider is called outside any
transaction, and the outcome is recorded in a second transaction. An attempt whose
outcome is unknown (network) keeps its marker and is asked again with the same key,
so the provider answers instead of charging twice.

Idempotency keys: the first automatic attempt of an invoice is `saas:<number>`;
later ones are `saas:<number>:<day>:<method>` (day = 1 on the issue day; method = a
fingerprint of the payment token), so at most one automatic attempt is made per day
and per payment method, a "pay now" pressed twice charges once, and a new payment
method gets its own attempt. `SaasInvoice.attempts` holds the day of the latest
finished attempt (1 = the issue day).
"""
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.money import Money
from pawpact.payments.base import ChargeResult
from pawpact.platform.enums import InvoiceStatus, PlatformAccount, PlatformJournalKind, SubscriptionStatus
from pawpact.platform.funding.ledger import Line, journal_post
from pawpact.platform.models import SaasInvoice, ShopSubscription
from pawpact.platform.saas.billing_adapters import saas_adapter_for
from pawpact.platform.saas.errors import (
    IllegalSubscriptionTransition,
    InvalidSaasPaymentMethod,
    NoSubscription,
    NothingToPay,
    SubscriptionExists,
)
from pawpact.platform.saas.plans import DEFAULT_PLAN_CODE, grace_days, period_end, trial_end
from pawpact.platform.saas.selectors import (
    BILLABLE_STATUSES,
    UNPAID_INVOICE_STATUSES,
    saas_invoice_unpaid,
    saas_plan_get,
    subscription_due_ids,
)
from pawpact.tenants.models import Shop

logger = logging.getLogger(__name__)

PENDING = "pending:"
NO_PAYMENT_METHOD = "no_payment_method"

S = SubscriptionStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.TRIALING: frozenset({S.ACTIVE, S.PAST_DUE, S.CANCELLED}),
    S.ACTIVE: frozenset({S.PAST_DUE, S.CANCELLED}),
    S.PAST_DUE: frozenset({S.ACTIVE, S.READ_ONLY, S.CANCELLED}),
    S.READ_ONLY: frozenset({S.ACTIVE, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}


# --- plans ---------------------------------------------------------------------------


# --- subscription life cycle -----------------------------------------------------------


def subscription_start(*, shop: Shop, plan_code: str = "", clock: Clock = default_clock) -> ShopSubscription:
    """The free trial of a new shop on `plan_code` (Starter when empty): trialing until
    `trial_ends_on` = today + the plan's trial days, the trial being the current period.
    Call it inside the shop's creation transaction. Raises UnknownSaasPlan."""
    plan = saas_plan_get(code=plan_code or DEFAULT_PLAN_CODE)
    today = clock.today()
    ends = trial_end(start=today, trial_days=plan.trial_days)
    with transaction.atomic():
        if ShopSubscription.objects.filter(shop=shop).exists():
            raise SubscriptionExists(_("This shop already has a subscription."))
        return ShopSubscription.objects.create(
            shop=shop,
            plan=plan,
            status=S.TRIALING,
            trial_ends_on=ends,
            current_period_start=today,
            current_period_end=ends,
            created_at=clock.now(),
        )


def _transition(subscription: ShopSubscription, to: str) -> None:
    """Change the status of a subscription row the caller has locked (no-op if unchanged)."""
    if subscription.status == to:
        return
    if to not in ALLOWED_TRANSITIONS[subscription.status]:
        raise IllegalSubscriptionTransition(
            _("A subscription that is %(current)s cannot become %(target)s.")
            % {"current": S(subscription.status).label, "target": S(to).label}
        )
    logger.info("SaaS subscription of shop %s: %s → %s", subscription.shop_id, subscription.status, to)
    subscription.status = to


def _locked(subscription_id: int) -> ShopSubscription:
    return ShopSubscription.objects.select_for_update().select_related("plan").get(pk=subscription_id)


def subscription_payment_method_set(
    *, shop: Shop, rail: str, token: str, clock: Clock = default_clock
) -> ShopSubscription:
    """Save the owner's payment method after the provider has accepted it.
    Raises InvalidSaasPaymentMethod (nothing written) when it does not."""
    subscription = ShopSubscription.objects.filter(shop=shop).first()
    if subscription is None:
        raise NoSubscription(_("This shop has no subscription."))
    adapter = saas_adapter_for((rail or "").strip())
    token = (token or "").strip()
    if not token:
        raise InvalidSaasPaymentMethod(_("Enter a payment token."), fields={"token": [_("This field is required.")]})
    # The provider is asked before anything is written: no transaction is held open over it.
    saved = adapter.method_save(
        token=token, customer_ref=subscription.rail_customer_ref, shop_name=shop.name, shop_id=shop.pk
    )
    with transaction.atomic():
        subscription = _locked(subscription.pk)
        subscription.payment_rail = saved.rail
        subscription.payment_token = saved.token
        subscription.rail_customer_ref = saved.customer_ref
        subscription.save(update_fields=["payment_rail", "payment_token", "rail_customer_ref"])
        # An attempt left unknown with the old method cannot be asked again with the new one.
        SaasInvoice.objects.filter(
            shop=shop, status__in=UNPAID_INVOICE_STATUSES, rail_reference__startswith=PENDING
        ).update(rail_reference="")
    return subscription


# --- invoices ------------------------------------------------------------------------


def saas_invoice_number(*, shop_id: int, period_start) -> str:
    return f"SAAS-{shop_id:06d}-{period_start:%Y%m%d}"


def _invoice_issue(*, subscription: ShopSubscription, clock: Clock) -> SaasInvoice:
    """The invoice for the month starting today (subscription locked by the caller)."""
    today = clock.today()
    start = max(subscription.current_period_end, today)
    plan = subscription.plan
    invoice, created = SaasInvoice.objects.get_or_create(
        shop_id=subscription.shop_id,
        period_start=start,
        defaults={
            "number": saas_invoice_number(shop_id=subscription.shop_id, period_start=start),
            "plan": plan,
            "period_end": period_end(start=start, anchor_day=subscription.trial_ends_on.day),
            "amount_minor": plan.monthly_price_minor,
            "currency": plan.currency,
            "status": InvoiceStatus.OPEN,
            "created_at": clock.now(),
        },
    )
    if created:
        _journal_post(
            key=f"{PlatformJournalKind.SAAS_INVOICE}:{invoice.number}",
            kind=PlatformJournalKind.SAAS_INVOICE,
            shop_id=invoice.shop_id,
            currency=invoice.currency,
            memo=f"SaaS invoice {invoice.number}",
            lines=[
                (PlatformAccount.SAAS_RECEIVABLE, invoice.amount_minor),
                (PlatformAccount.SAAS_REVENUE, -invoice.amount_minor),
            ],
            clock=clock,
        )
    return invoice


def attempt_key(*, invoice: SaasInvoice, day: int, token: str, manual: bool) -> str:
    if day == 1 and not manual:
        return f"saas:{invoice.number}"
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:10]
    return f"saas:{invoice.number}:{day}:{fingerprint}"


def _dunning_day(*, invoice: SaasInvoice, clock: Clock) -> int:
    """1 on the day the invoice was issued (its period start), 2 the day after, …"""
    return (clock.today() - invoice.period_start).days + 1


@dataclass(frozen=True)
class _Attempt:
    key: str
    rail: str
    token: str
    customer_ref: str
    amount: Money
    metadata: dict


def _attempt_begin(*, invoice_id: int, day: int, manual: bool) -> _Attempt | None:
    """Commit the STARTED marker; None when there is nothing to charge (paid, or already
    tried today), or an attempt without a key when the shop has no payment method."""
    with transaction.atomic():
        invoice = SaasInvoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status not in UNPAID_INVOICE_STATUSES:
            return None
        subscription = ShopSubscription.objects.get(shop_id=invoice.shop_id)
        if invoice.rail_reference.startswith(PENDING):
            key = invoice.rail_reference.removeprefix(PENDING)  # outcome unknown: ask again, same key
        elif not manual and invoice.attempts >= day:
            return None  # today's automatic attempt was made already
        elif not subscription.payment_token:
            return _Attempt("", "", "", "", Money(invoice.amount_minor, invoice.currency), {})
        else:
            key = attempt_key(invoice=invoice, day=day, token=subscription.payment_token, manual=manual)
            invoice.rail_reference = PENDING + key
            invoice.save(update_fields=["rail_reference"])
        return _Attempt(
            key=key,
            rail=subscription.payment_rail,
            token=subscription.payment_token,
            customer_ref=subscription.rail_customer_ref,
            amount=Money(invoice.amount_minor, invoice.currency),
            metadata={"purpose": "saas", "invoice": invoice.number, "pawpact_shop_id": str(invoice.shop_id)},
        )


def _attempt_finish(*, invoice_id: int, key: str, day: int, result: ChargeResult, clock: Clock) -> SaasInvoice:
    """Record the provider's answer once; a replayed or concurrent answer changes nothing."""
    with transaction.atomic():
        invoice = SaasInvoice.objects.select_for_update().get(pk=invoice_id)
        subscription = ShopSubscription.objects.select_for_update().get(shop_id=invoice.shop_id)
        if key:
            if invoice.rail_reference != PENDING + key:
                return invoice  # another worker recorded this attempt already
        elif invoice.attempts >= day or invoice.status not in UNPAID_INVOICE_STATUSES:
            return invoice
        if result.succeeded:
            _invoice_paid(invoice=invoice, subscription=subscription, result=result, day=day, clock=clock)
            return invoice
        if not result.is_unknown:
            invoice.status = InvoiceStatus.FAILED
            invoice.rail_reference = result.reference
            invoice.attempts = max(invoice.attempts, day)
            invoice.save(update_fields=["status", "rail_reference", "attempts"])
        # Failed or unknown: the month is not paid, so the grace period starts (once).
        if subscription.status in BILLABLE_STATUSES:
            _transition(subscription, S.PAST_DUE)
            subscription.grace_until = clock.today() + timedelta(days=grace_days())
            subscription.save(update_fields=["status", "grace_until"])
        logger.info("SaaS invoice %s not paid: %s", invoice.number, result.outcome)
    return invoice


def _invoice_paid(
    *, invoice: SaasInvoice, subscription: ShopSubscription, result: ChargeResult, day: int, clock: Clock
) -> None:
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = clock.now()
    invoice.rail_reference = result.reference
    invoice.attempts = max(invoice.attempts, day)
    invoice.save(update_fields=["status", "paid_at", "rail_reference", "attempts"])
    _journal_post(
        key=f"{PlatformJournalKind.SAAS_PAID}:{invoice.number}",
        kind=PlatformJournalKind.SAAS_PAID,
        shop_id=invoice.shop_id,
        currency=invoice.currency,
        memo=f"SaaS invoice {invoice.number} paid ({result.reference})",
        lines=[(PlatformAccount.CASH, invoice.amount_minor), (PlatformAccount.SAAS_RECEIVABLE, -invoice.amount_minor)],
        clock=clock,
    )
    _transition(subscription, S.ACTIVE)
    if invoice.period_end > subscription.current_period_end:
        subscription.current_period_start = invoice.period_start
        subscription.current_period_end = invoice.period_end
    subscription.grace_until = None
    subscription.save(update_fields=["status", "current_period_start", "current_period_end", "grace_until"])


def _invoice_charge(*, invoice: SaasInvoice, manual: bool, clock: Clock) -> SaasInvoice:
    """Charge one unpaid invoice (call outside a transaction: the marker must be committed first)."""
    day = _dunning_day(invoice=invoice, clock=clock)
    attempt = _attempt_begin(invoice_id=invoice.pk, day=day, manual=manual)
    if attempt is None:
        return SaasInvoice.objects.get(pk=invoice.pk)
    if not attempt.key:
        result = ChargeResult(succeeded=False, outcome=NO_PAYMENT_METHOD)
    else:
        result = saas_adapter_for(attempt.rail).charge(
            token=attempt.token,
            customer_ref=attempt.customer_ref,
            amount=attempt.amount,
            idempotency_key=attempt.key,
            metadata=attempt.metadata,
        )
    return _attempt_finish(invoice_id=invoice.pk, key=attempt.key, day=day, result=result, clock=clock)


# --- the daily run and the owner's "pay now" ------------------------------------------------


def subscription_bill(*, subscription_id: int, clock: Clock = default_clock) -> SaasInvoice | None:
    """One shop's step of the daily run: end the grace period, issue the month's
    invoice when the period has ended, charge what is unpaid. Safe to run any number
    of times a day: the second run finds nothing to do."""
    today = clock.today()
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if subscription.status == S.PAST_DUE and subscription.grace_until and today > subscription.grace_until:
            _transition(subscription, S.READ_ONLY)
            subscription.save(update_fields=["status"])
            return None
        if subscription.status not in (*BILLABLE_STATUSES, S.PAST_DUE):
            return None  # read-only: the owner pays from the billing page
        invoice = saas_invoice_unpaid(shop_id=subscription.shop_id)
        if invoice is None and subscription.status in BILLABLE_STATUSES and subscription.current_period_end <= today:
            invoice = _invoice_issue(subscription=subscription, clock=clock)
    if invoice is None:
        return None
    return _invoice_charge(invoice=invoice, manual=False, clock=clock)


@dataclass(frozen=True)
class BillingRunSummary:
    subscriptions: int
    paid: int
    unpaid: int
    errors: int


def saas_billing_run(*, clock: Clock = default_clock) -> BillingRunSummary:
    """Bill every subscription that has something due today (see `subscription_bill`);
    one shop's failure is logged and does not stop the others."""
    paid = unpaid = errors = 0
    ids = subscription_due_ids(today=clock.today())
    for subscription_id in ids:
        try:
            invoice = subscription_bill(subscription_id=subscription_id, clock=clock)
        except Exception:
            logger.exception("SaaS billing of subscription %s failed", subscription_id)
            errors += 1
            continue
        if invoice is not None:
            paid += invoice.status == InvoiceStatus.PAID
            unpaid += invoice.status != InvoiceStatus.PAID
    return BillingRunSummary(subscriptions=len(ids), paid=paid, unpaid=unpaid, errors=errors)


def subscription_pay_now(*, shop: Shop, clock: Clock = default_clock) -> SaasInvoice:
    """The owner pays the unpaid invoice with the saved payment method, at any time
    (also read-only). Paid: the shop is active again. Raises NothingToPay."""
    subscription = ShopSubscription.objects.filter(shop=shop).first()
    if subscription is None:
        raise NoSubscription(_("This shop has no subscription."))
    invoice = saas_invoice_unpaid(shop_id=shop.pk)
    if invoice is None:
        raise NothingToPay(_("There is nothing to pay."))
    if not subscription.payment_token:
        message = _("Add a payment method first.")
        raise InvalidSaasPaymentMethod(message, fields={"token": [message]})
    return _invoice_charge(invoice=invoice, manual=True, clock=clock)



# --- platform ledger (pawpact.platform.funding.ledger) ----------------------------------------


def _journal_post(
    *, key: str, kind: str, shop_id: int, currency: str, memo: str, lines: list[tuple[str, int]], clock: Clock
):
    journal, _created = journal_post(
        key=key,
        kind=kind,
        lines=[Line(account, amount_minor) for account, amount_minor in lines],
        currency=currency,
        shop_id=shop_id,
        memo=memo,
        at=clock.now(),
    )
    return journal
