"""Refunds of stored value's paid part, back the way the money came in.

A refund is split into legs over the customer's paid top-ups, newest first (spending is
taken as coming from the oldest money, so the newest top-ups are the ones still unspent),
each up to what of that top-up no earlier leg took (value an order gave back is money of
the top-ups it was spent from, so it fits there): a top-up paid through a rail is given
back to its payment method under the leg's own key, a top-up paid in cash at the counter
is handed back in cash, and anything no top-up covers (a balance from before top-ups were
recorded) is cash too.

The legs are committed first; while a leg waits it holds its amount (nothing else can
spend or refund it) but the balance is untouched. A rail is called outside any
transaction; only its confirmation moves the balance, posts the journal (the leg's key)
and records the provider's refund for reconciliation, once. A rail that fails or does not
answer leaves the leg waiting: the same request, the staff's retry or the periodic run asks
again with the same key, and the rail gives back at most once per key.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line
from pawpact.billing.models import PaymentMethod
from pawpact.billing.services.exit_money import rail_refund_record
from pawpact.core.clock import Clock, default_clock
from pawpact.core.money import Money
from pawpact.customers.models import Customer
from pawpact.loyalty.errors import InsufficientStoredValue
from pawpact.loyalty.stored_value import (
    _account_locked,
    _amount_check,
    _key_check,
    _move,
    _yuan,
    refund_held,
    rules_get,
)
from pawpact.loyalty.wallet_models import (
    RefundLegStatus,
    StoredValueAccount,
    StoredValueRefund,
    StoredValueRefundLeg,
    TopUp,
    TopUpStatus,
    destination_label,
)  # fmt: skip
from pawpact.payments.registry import rail_for

logger = logging.getLogger(__name__)

PURPOSE = "stored_value_refund"  # RailRefund.purpose: what reconciliation matches the statement's refund lines to


@dataclass(frozen=True)
class Route:
    """One part of a refund and where it goes (no payment method: cash)."""

    amount_minor: int
    top_up: TopUp | None
    payment_method: PaymentMethod | None

    @property
    def rail(self) -> str:
        return self.payment_method.rail if self.payment_method else ""

    @property
    def label(self) -> str:
        return destination_label(self.rail)


def routes_for(*, customer: Customer, amount_minor: int) -> list[Route]:
    """Where `amount_minor` of paid value would go: newest paid top-ups first, each up to
    what earlier legs (waiting or done) left of it; the rest in cash."""
    taken = dict(StoredValueRefundLeg.objects.filter(refund__customer=customer, top_up__isnull=False)
                 .values("top_up").annotate(total=Sum("amount_minor")).values_list("top_up", "total"))  # fmt: skip
    routes, left = [], amount_minor
    paid = TopUp.objects.filter(customer=customer, status=TopUpStatus.PAID).select_related("payment_method")
    for top in paid.order_by("-finished_at", "-id").iterator(chunk_size=200):
        room = top.amount_minor - taken.get(top.pk, 0)
        if left <= 0:
            break
        if room > 0:
            routes.append(Route(min(room, left), top, top.payment_method))
            left -= min(room, left)
    if left > 0:
        routes.append(Route(left, None, None))
    return routes


def routes_summary(routes: list[Route]) -> list[dict]:
    """The routes by destination, for pages and the API: [{destination (a rail or cash), label, amount_minor}]."""
    merged: dict[str, int] = {}
    for route in routes:
        merged[route.rail] = merged.get(route.rail, 0) + route.amount_minor
    return [{"destination": rail or "cash", "label": destination_label(rail), "amount_minor": amount}
            for rail, amount in merged.items()]  # fmt: skip


def refundable_minor(*, customer: Customer) -> int:
    """The paid part less what refunds waiting for their rail hold."""
    account = StoredValueAccount.objects.filter(customer=customer).first()
    return account.paid_minor - refund_held(account) if account else 0


def stored_value_refund(*, customer: Customer, amount_minor: int, key: str, memo: str = "",
                        clock: Clock = default_clock) -> StoredValueRefund:  # fmt: skip
    """Refund `amount_minor` of the paid part back the way it came in; call outside a
    transaction. The same key returns the same refund and asks again for its waiting legs.
    Beyond the refundable part, or when the shop's rule allows no refunds: a 4xx, nothing written."""
    _amount_check(amount_minor, field="amount")
    key = _key_check(key)
    with transaction.atomic():
        account = _account_locked(customer)
        refund = StoredValueRefund.objects.filter(customer=customer, request_key=key).first()
        if refund is None:
            if not rules_get().refunds_allowed:
                raise InsufficientStoredValue(_("This shop does not refund stored value."),
                                              fields={"amount": [_("Not refundable.")]})  # fmt: skip
            refundable = account.paid_minor - refund_held(account)
            if amount_minor > refundable:
                raise InsufficientStoredValue(
                    _("At most the paid part, %(paid)s, can be refunded.") % {"paid": _yuan(refundable)},
                    fields={"amount": [_("More than the paid part.")]},
                )
            refund = StoredValueRefund.objects.create(customer=customer, request_key=key, amount_minor=amount_minor,
                                                      memo=memo[:200], created_at=clock.now())  # fmt: skip
            for number, route in enumerate(routes_for(customer=customer, amount_minor=amount_minor), start=1):
                StoredValueRefundLeg.objects.create(
                    refund=refund, top_up=route.top_up, payment_method=route.payment_method,
                    amount_minor=route.amount_minor, key=f"{JournalKind.STORED_VALUE_REFUND}:{refund.uuid.hex}:{number}",
                )  # fmt: skip
    return stored_value_refund_retry(refund=refund, clock=clock)


def stored_value_refund_retry(*, refund: StoredValueRefund, clock: Clock = default_clock) -> StoredValueRefund:
    """Ask again for every waiting leg of `refund` (each under its own key); call outside a transaction."""
    legs = StoredValueRefundLeg.objects.filter(refund=refund, status=RefundLegStatus.PENDING)
    for leg in legs.select_related("payment_method", "top_up", "refund"):
        leg_run(leg=leg, clock=clock)
    return refund


def leg_run(*, leg: StoredValueRefundLeg, clock: Clock = default_clock) -> StoredValueRefundLeg:
    """Give one leg back: cash at once, a rail leg once the rail confirms under the leg's key."""
    reference = ""
    if leg.status != RefundLegStatus.PENDING:
        return leg
    method = leg.payment_method
    if method is not None:
        try:
            reference = rail_for(method.rail, livemode=method.livemode).refund(
                token=method.token, charge_reference=leg.top_up.reference, amount=Money(leg.amount_minor, "CNY"),
                idempotency_key=leg.key, metadata={"topup_uuid": str(leg.top_up.uuid), "refund_uuid": str(leg.refund.uuid)},
            )  # fmt: skip
        except Exception as error:  # noqa: BLE001 — the leg keeps its key and waits; asked again, never twice
            logger.warning("Stored-value refund %s not confirmed: %s", leg.key, error)
            StoredValueRefundLeg.objects.filter(pk=leg.pk, status=RefundLegStatus.PENDING).update(
                attempts=F("attempts") + 1, last_error=(getattr(error, "message", "") or str(error) or type(error).__name__)[:255]
            )  # fmt: skip
            leg.refresh_from_db()
            return leg
    return _leg_confirm(leg_id=leg.pk, reference=reference or "", clock=clock)


def _leg_confirm(*, leg_id: int, reference: str, clock: Clock) -> StoredValueRefundLeg:
    """The money left: the balance moves (gift value forfeited in proportion, all of it when
    the paid part reaches zero), the journal and the provider's refund are recorded once."""
    with transaction.atomic():
        leg = StoredValueRefundLeg.objects.select_related("refund__customer", "payment_method", "top_up").get(pk=leg_id)
        account = _account_locked(leg.refund.customer)
        leg = StoredValueRefundLeg.objects.select_for_update(of=("self",)).select_related("payment_method", "top_up").get(pk=leg_id)
        if leg.status != RefundLegStatus.PENDING:
            return leg
        amount = leg.amount_minor
        gift = account.gift_minor * amount // account.paid_minor
        where = f"{leg.payment_method.rail} reference {reference}" if leg.payment_method else "cash at the counter"
        _move(account=account, kind=JournalKind.STORED_VALUE_REFUND, paid=-amount, gift=-gift, key=leg.key, clock=clock,
              memo=f"refund {amount} ({where}), gift forfeited {gift}",
              lines=[Line(LedgerAccount.STORED_VALUE_PAID, amount), Line(LedgerAccount.STORE_CASH, -amount),
                     Line(LedgerAccount.STORED_VALUE_GIFT, gift), Line(LedgerAccount.MARKETING_EXPENSE, -gift)])  # fmt: skip
        if leg.payment_method is not None:
            rail_refund_record(payment_method=leg.payment_method, amount=Money(amount, "CNY"), key=leg.key,
                               charge_reference=leg.top_up.reference, reference=reference, purpose=PURPOSE)  # fmt: skip
        leg.status, leg.reference, leg.finished_at = RefundLegStatus.REFUNDED, reference[:255], clock.now()
        leg.attempts, leg.last_error = leg.attempts + 1, ""
        leg.save(update_fields=["status", "reference", "finished_at", "attempts", "last_error"])
    return leg


def stored_value_refunds_retry(*, clock: Clock = default_clock, asked_before=None) -> int:
    """Legs a rail did not confirm (of refunds asked before `asked_before`, when given), asked
    again with their key; how many were confirmed."""
    waiting = StoredValueRefundLeg.objects.filter(status=RefundLegStatus.PENDING).select_related(
        "payment_method", "top_up", "refund").order_by("id")  # fmt: skip
    if asked_before is not None:
        waiting = waiting.filter(refund__created_at__lte=asked_before)
    return sum(leg_run(leg=leg, clock=clock).status == RefundLegStatus.REFUNDED for leg in list(waiting[:200]))
