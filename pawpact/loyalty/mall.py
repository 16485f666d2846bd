"""The points mall: items for points or points plus cash, redeemed in one unit of work.

A redemption locks the item row and the member's points (in that order, always, so two
redemptions never deadlock), takes one from the stock, deducts the points through the
points ledger (`mall:<uuid>`) and writes the redemption, in one transaction: two
concurrent redemptions of the last item, or of more points than the member has, cannot
both pass. The cash part is then charged on the rails under the redemption's charge key
(committed first, like shop orders); a declined payment returns the stock and the points
(`mall.returned:<uuid>`), once.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import NotFound, ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty import wallet_rail
from pawpact.loyalty.errors import OutOfStock
from pawpact.loyalty.evaluation import memberships_ensure
from pawpact.loyalty.models import Membership, PointsEntry, PointsKind
from pawpact.loyalty.points import points_redeem
from pawpact.loyalty.wallet_models import MallItem, Redemption, RedemptionStatus
from pawpact.payments.base import ChargeResult

MAX_POINTS = 10_000_000
MAX_CASH_MINOR = 10_000_000


def item_save(*, item: MallItem | None = None, name: str, description: str = "", points: int, cash_minor: int,
              stock: int, active: bool = True) -> MallItem:  # fmt: skip
    """Create or change a mall item (staff)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 80:
        errors["name"] = [_("Enter a name of at most 80 characters.")]
    for field, value, top in (("points", points, MAX_POINTS), ("cash", cash_minor, MAX_CASH_MINOR), ("stock", stock, 1_000_000)):
        low = 1 if field == "points" else 0
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= top:
            errors[field] = [_("Enter a whole number from %(low)d.") % {"low": low}]
    if errors:
        raise ValidationFailed(_("Check the item."), fields=errors)
    with transaction.atomic():
        item = item or MallItem()
        item.name, item.description, item.points = name, (description or "").strip()[:300], points
        item.cash_minor, item.stock, item.active = cash_minor, stock, bool(active)
        item.save()
    return item


def redeem(*, customer: Customer, item: MallItem, request_key: str, payment_method: PaymentMethod | None = None,
           clock: Clock = default_clock) -> Redemption:  # fmt: skip
    """Redeem one of `item`; call outside a transaction. A repeated request key returns the
    same redemption. Refuses, writing nothing: no stock, not enough points, a cash part
    without one of the customer's own payment methods. A declined cash part returns stock
    and points and raises PaymentDeclined."""
    if not isinstance(request_key, str) or not request_key.strip() or len(request_key) > 80:
        raise ValidationFailed(_("A request needs a reference."), fields={"key": [_("Invalid.")]})
    request_key = request_key.strip()
    redemption = Redemption.objects.filter(customer=customer, request_key=request_key).first()
    if redemption is None:
        redemption = _reserve(customer=customer, item_id=item.pk, request_key=request_key,
                              payment_method=payment_method, clock=clock)  # fmt: skip
    if redemption.status == RedemptionStatus.PAYING:
        result = wallet_rail.charge(payment_method=redemption.payment_method, amount_minor=redemption.cash_minor,
                                    key=redemption.charge_key, metadata={"redemption_uuid": str(redemption.uuid)})  # fmt: skip
        redemption = redemption_finish(redemption_id=redemption.pk, result=result, clock=clock)
    if redemption.status == RedemptionStatus.FAILED:
        raise wallet_rail.declined(redemption.outcome)
    return redemption


def _reserve(*, customer, item_id, request_key, payment_method, clock) -> Redemption:
    try:
        with transaction.atomic():
            item = MallItem.objects.select_for_update().filter(pk=item_id).first()
            if item is None:
                raise NotFound(_("Unknown mall item."))
            if not item.active or item.stock < 1:
                raise OutOfStock(_("%(name)s is no longer available.") % {"name": item.name},
                                 fields={"item": [_("Sold out.")]})  # fmt: skip
            method = wallet_rail.method_check(customer=customer, payment_method=payment_method) if item.cash_minor else None
            redemption = Redemption.objects.create(
                customer=customer, item=item, item_name=item.name, points=item.points, cash_minor=item.cash_minor,
                request_key=request_key, payment_method=method, created_at=clock.now(),
                status=RedemptionStatus.PAYING if item.cash_minor else RedemptionStatus.REDEEMED,
            )  # fmt: skip
            if item.cash_minor:
                redemption.charge_key = f"mall:{redemption.uuid}"
            else:
                redemption.finished_at = clock.now()
            redemption.save(update_fields=["charge_key", "finished_at"])
            MallItem.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
            points_redeem(customer=customer, points=item.points, source_key=f"mall:{redemption.uuid}",
                          memo=item.name, clock=clock)  # fmt: skip
    except IntegrityError:  # the same request raced in twice: that redemption is the one
        return Redemption.objects.get(customer=customer, request_key=request_key)
    return redemption


def redemption_finish(*, redemption_id: int, result: ChargeResult, clock: Clock = default_clock) -> Redemption:
    """Record the rail's answer for the cash part once; a declined one gives stock and points back."""
    if result.is_unknown:
        return Redemption.objects.get(pk=redemption_id)
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=redemption_id)
        if redemption.status != RedemptionStatus.PAYING:
            return redemption
        redemption.outcome, redemption.reference = result.outcome[:60], result.reference or ""
        redemption.finished_at = clock.now()
        if result.succeeded:
            redemption.status = RedemptionStatus.REDEEMED
            journal_post(key=f"{JournalKind.MALL_PAID}:{redemption.uuid}", kind=JournalKind.MALL_PAID,
                         lines=[Line(LedgerAccount.STORE_CASH, redemption.cash_minor),
                                Line(LedgerAccount.GOODS_REVENUE, -redemption.cash_minor)],
                         memo=f"points mall: {redemption.item_name}")  # fmt: skip
        else:
            redemption.status = RedemptionStatus.FAILED
            MallItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
            _points_return(redemption=redemption, clock=clock)
        redemption.save(update_fields=["status", "outcome", "reference", "finished_at"])
    return redemption


def _points_return(*, redemption: Redemption, clock: Clock) -> None:
    """The points of a redemption that did not go through, back as a lot of their own."""
    key = f"mall.returned:{redemption.uuid}"
    if PointsEntry.objects.filter(source_key=key).exists():
        return
    memberships_ensure(lo=redemption.customer_id, hi=redemption.customer_id, ids=[redemption.customer_id])
    now = clock.now()
    PointsEntry.objects.create(
        customer_id=redemption.customer_id, kind=PointsKind.EARN, points=redemption.points, remaining=redemption.points,
        source_key=key, source_event="mall.payment_failed", memo=redemption.item_name[:200], occurred_at=now,
        expires_on=now.date().replace(year=now.year + 1, month=12, day=31), created_at=now,
    )  # fmt: skip
    Membership.objects.filter(customer_id=redemption.customer_id).update(points_balance=F("points_balance") + redemption.points)


def handed_over(*, redemption: Redemption, clock: Clock = default_clock) -> Redemption:
    """Staff hand the reward to the customer (at the counter)."""
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.status == RedemptionStatus.REDEEMED:
            locked.status, locked.finished_at = RedemptionStatus.HANDED_OVER, clock.now()
            locked.save(update_fields=["status", "finished_at"])
    return locked
