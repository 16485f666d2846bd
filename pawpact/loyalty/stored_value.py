"""Stored value (储值): top-ups with gifts, spending, refunds of the paid part.

The balance is a liability on the shop ledger, the paid part (STORED_VALUE_PAID) apart
from the gift part (STORED_VALUE_GIFT, whose cost is a marketing expense when given).
Every change is a StoredValueMovement and a balanced journal under the same key, so a
retried call (a replayed payment result, a repeated request) moves nothing twice. The
account row is locked for each change and the database refuses a negative part.

A top-up is credited only when the rail says it is paid: the PAYING row with its charge
key is committed first, the rail is called outside any transaction, the outcome is
recorded once. Spending takes the paid or the gift part first per the shop's rule;
a refund (pawpact.loyalty.wallet_refunds) gives back at most the paid part, the way it came
in, and forfeits the gift part with it; while a refund waits for its rail it holds its amount.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty import wallet_rail
from pawpact.loyalty.errors import InsufficientStoredValue
from pawpact.loyalty.wallet_models import (
    GiftRule,
    MovementKind,
    RefundLegStatus,
    SpendOrder,
    StoredValueAccount,
    StoredValueMovement,
    StoredValueRefundLeg,
    StoredValueRules,
    TopUp,
    TopUpStatus,
)  # fmt: skip
from pawpact.payments.base import ChargeResult

MAX_TOPUP_MINOR = 5_000_000  # ¥50,000 at once


def rules_get() -> StoredValueRules:
    rules = StoredValueRules.objects.order_by("id").first()
    return rules or StoredValueRules.objects.create()


def gift_for(amount_minor: int) -> int:
    """The gift of the best active rule the amount reaches (0 when none)."""
    rule = GiftRule.objects.filter(active=True, threshold_minor__lte=amount_minor).order_by("-threshold_minor").first()
    return rule.gift_minor if rule else 0


def _amount_check(amount_minor, *, field: str, limit: int | None = None) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValidationFailed(_("Enter an amount above zero."), fields={field: [_("Above zero.")]})
    if limit is not None and amount_minor > limit:
        raise ValidationFailed(_("At most ¥%(max)s at once.") % {"max": f"{limit // 100:,}"},
                               fields={field: [_("Too large.")]})  # fmt: skip


def _key_check(key) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 80:
        raise ValidationFailed(_("A request needs a reference."), fields={"key": [_("Invalid.")]})
    return key.strip()


def _account_locked(customer: Customer) -> StoredValueAccount:
    StoredValueAccount.objects.get_or_create(customer=customer)
    return StoredValueAccount.objects.select_for_update().get(customer=customer)


def refund_held(account: StoredValueAccount) -> int:
    """Paid value held by refunds waiting for their rail: not to be spent or refunded again."""
    legs = StoredValueRefundLeg.objects.filter(refund__customer_id=account.customer_id, status=RefundLegStatus.PENDING)
    return legs.aggregate(total=Sum("amount_minor"))["total"] or 0


def _move(*, account, kind, paid: int, gift: int, key: str, lines: list[Line], memo: str, clock: Clock):
    """One movement and its journal; the account is locked by the caller."""
    StoredValueAccount.objects.filter(pk=account.pk).update(
        paid_minor=account.paid_minor + paid, gift_minor=account.gift_minor + gift
    )
    account.paid_minor, account.gift_minor = account.paid_minor + paid, account.gift_minor + gift
    journal_post(key=key, kind=kind, lines=[line for line in lines if line.amount_minor], memo=memo[:255])
    return StoredValueMovement.objects.create(account=account, kind=_KIND[kind],
                                              paid_minor=paid, gift_minor=gift, key=key, memo=memo[:200],
                                              occurred_at=clock.now())  # fmt: skip


_KIND = {
    JournalKind.STORED_VALUE_TOPUP: MovementKind.TOPUP,
    JournalKind.STORED_VALUE_SPEND: MovementKind.SPEND,
    JournalKind.STORED_VALUE_REFUND: MovementKind.REFUND,
    JournalKind.STORED_VALUE_RETURN: MovementKind.RETURN,
}


# --- Top-up ---------------------------------------------------------------------------------------


def topup(*, customer: Customer, amount_minor: int, payment_method: PaymentMethod | None, request_key: str,
          clock: Clock = default_clock) -> TopUp:  # fmt: skip
    """Top up through the rails; call outside a transaction. A repeated request key returns
    the same top-up (asking the rail again if its outcome was unknown). A declined payment
    raises PaymentDeclined and credits nothing."""
    request_key = _key_check(request_key)
    existing = TopUp.objects.filter(customer=customer, request_key=request_key).first()
    if existing is None:
        _amount_check(amount_minor, field="amount", limit=MAX_TOPUP_MINOR)
        method = wallet_rail.method_check(customer=customer, payment_method=payment_method)
        try:
            with transaction.atomic():
                existing = TopUp.objects.create(
                    customer=customer, amount_minor=amount_minor, gift_minor=gift_for(amount_minor),
                    request_key=request_key, payment_method=method, charge_key=f"topup:{customer.uuid}:{request_key}",
                    created_at=clock.now(),
                )  # fmt: skip
        except IntegrityError:  # the same request raced in twice: that top-up is the one
            existing = TopUp.objects.get(customer=customer, request_key=request_key)
    if existing.status == TopUpStatus.PAYING:
        result = wallet_rail.charge(payment_method=existing.payment_method, amount_minor=existing.amount_minor,
                                    key=existing.charge_key, metadata={"topup_uuid": str(existing.uuid)})  # fmt: skip
        existing = topup_finish(topup_id=existing.pk, result=result, clock=clock)
    if existing.status == TopUpStatus.FAILED:
        raise wallet_rail.declined(existing.outcome)
    return existing


def topup_at_counter(*, customer: Customer, amount_minor: int, request_key: str, clock: Clock = default_clock) -> TopUp:
    """A top-up the shop took in cash at the counter: paid at once, with the gift rules, once
    per request key; a refund of it is handed back in cash."""
    request_key = _key_check(request_key)
    existing = TopUp.objects.filter(customer=customer, request_key=request_key).first()
    if existing is not None:
        return existing
    _amount_check(amount_minor, field="amount", limit=MAX_TOPUP_MINOR)
    try:
        with transaction.atomic():
            top = TopUp.objects.create(customer=customer, amount_minor=amount_minor, gift_minor=gift_for(amount_minor),
                                       request_key=request_key, payment_method=None, created_at=clock.now(),
                                       charge_key=f"counter:{customer.uuid}:{request_key}")  # fmt: skip
            return topup_finish(topup_id=top.pk, result=ChargeResult(succeeded=True, outcome="cash"), clock=clock)
    except IntegrityError:  # the same request raced in twice: that top-up is the one
        return TopUp.objects.get(customer=customer, request_key=request_key)


def topup_finish(*, topup_id: int, result: ChargeResult, clock: Clock = default_clock) -> TopUp:
    """Record the rail's answer once: paid credits paid value and the gift; a repeat changes nothing."""
    if result.is_unknown:
        return TopUp.objects.get(pk=topup_id)
    with transaction.atomic():
        top = TopUp.objects.select_for_update().select_related("customer").get(pk=topup_id)
        if top.status != TopUpStatus.PAYING:
            return top
        top.status = TopUpStatus.PAID if result.succeeded else TopUpStatus.FAILED
        top.outcome, top.reference, top.finished_at = result.outcome[:60], result.reference or "", clock.now()
        top.save(update_fields=["status", "outcome", "reference", "finished_at"])
        if result.succeeded:
            account = _account_locked(top.customer)
            _move(account=account, kind=JournalKind.STORED_VALUE_TOPUP, paid=top.amount_minor, gift=top.gift_minor,
                  key=f"{JournalKind.STORED_VALUE_TOPUP}:{top.uuid}", clock=clock,
                  memo=f"top-up {top.amount_minor} + gift {top.gift_minor}, "
                       + (f"rail reference {top.reference}" if top.payment_method_id else "cash at the counter"),
                  lines=[Line(LedgerAccount.STORE_CASH, top.amount_minor),
                         Line(LedgerAccount.STORED_VALUE_PAID, -top.amount_minor),
                         Line(LedgerAccount.MARKETING_EXPENSE, top.gift_minor),
                         Line(LedgerAccount.STORED_VALUE_GIFT, -top.gift_minor)])  # fmt: skip
    return top


# --- Spending and refunds ------------------------------------------------------------------------------


def spend(*, customer: Customer, amount_minor: int, key: str, memo: str,
          revenue_account: LedgerAccount = LedgerAccount.GOODS_REVENUE, clock: Clock = default_clock):
    """Pay `amount_minor` from the balance (the shop's rule decides which part goes first);
    once per key. Beyond the balance: InsufficientStoredValue, nothing written."""
    _amount_check(amount_minor, field="amount")
    key = f"{JournalKind.STORED_VALUE_SPEND}:{_key_check(key)}"
    with transaction.atomic():
        account = _account_locked(customer)
        existing = StoredValueMovement.objects.filter(key=key).first()
        if existing is not None:
            return existing
        held = refund_held(account)
        if amount_minor > account.total_minor - held:
            raise InsufficientStoredValue(
                _("Only %(balance)s of stored value is left.") % {"balance": _yuan(account.total_minor - held)},
                fields={"amount": [_("More than the balance.")]},
            )
        if rules_get().spend_order == SpendOrder.GIFT_FIRST:
            gift = min(amount_minor, account.gift_minor)
            paid = amount_minor - gift
        else:
            paid = min(amount_minor, account.paid_minor - held)
            gift = amount_minor - paid
        return _move(account=account, kind=JournalKind.STORED_VALUE_SPEND, paid=-paid, gift=-gift, key=key,
                     memo=memo, clock=clock,
                     lines=[Line(LedgerAccount.STORED_VALUE_PAID, paid), Line(LedgerAccount.STORED_VALUE_GIFT, gift),
                            Line(revenue_account, -amount_minor)])  # fmt: skip


def give_back(*, customer: Customer, spend_key: str, amount_minor: int, key: str, memo: str = "",
              clock: Clock = default_clock):
    """Put back on the balance part or all of what the spend `spend_key` took (an order cancelled
    or refunded): the paid part first, then the gift part, never more than the spend took less
    what came back already; once per `key` (a retry moves nothing)."""
    _amount_check(amount_minor, field="amount")
    spend_key = _key_check(spend_key)
    returns = f"{JournalKind.STORED_VALUE_RETURN}:{spend_key}:"
    key = f"{returns}{_key_check(key)}"
    with transaction.atomic():
        account = _account_locked(customer)
        existing = StoredValueMovement.objects.filter(key=key).first()
        if existing is not None:
            return existing
        spent = StoredValueMovement.objects.filter(account=account, key=f"{JournalKind.STORED_VALUE_SPEND}:{spend_key}").first()
        back = list(StoredValueMovement.objects.filter(account=account, key__startswith=returns).values_list("paid_minor", "gift_minor"))
        paid_left = -spent.paid_minor - sum(paid for paid, _gift in back) if spent else 0
        gift_left = -spent.gift_minor - sum(gift for _paid, gift in back) if spent else 0
        if amount_minor > paid_left + gift_left:
            raise InsufficientStoredValue(_("More than was paid with stored value."),
                                          fields={"amount": [_("More than was paid with stored value.")]})  # fmt: skip
        paid = min(amount_minor, paid_left)
        return _move(account=account, kind=JournalKind.STORED_VALUE_RETURN, paid=paid, gift=amount_minor - paid,
                     key=key, memo=memo, clock=clock,
                     lines=[Line(LedgerAccount.GOODS_REVENUE, amount_minor), Line(LedgerAccount.STORED_VALUE_PAID, -paid),
                            Line(LedgerAccount.STORED_VALUE_GIFT, -(amount_minor - paid))])  # fmt: skip


def _yuan(amount_minor: int) -> str:
    return f"¥{amount_minor // 100:,}.{amount_minor % 100:02d}"
