"""The storefront's books against its orders: every journal balanced, every paid order's
cash booked once at what the rail took (its total less the stored value it was paid with), every confirmed refund booked once at its amount, the
order's refunded total equal to its rail refunds plus the stored value given back, and the shop-order cash account equal to
what was paid less what was given back. A read: it changes nothing."""
from dataclasses import dataclass, field

from django.db.models import Sum

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.models import Journal, LedgerLine
from pawpact.storefront.enums import PaymentStatus
from pawpact.storefront.models import Order, OrderRefund

STOREFRONT_KINDS = (JournalKind.ORDER_PAID, JournalKind.ORDER_REFUNDED, JournalKind.FULFILMENT_COST,
                    JournalKind.FULFILMENT_COST_REVERSED)  # fmt: skip


@dataclass
class LedgerCheck:
    problems: list[str] = field(default_factory=list)
    orders: int = 0
    refunds: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _cash_by_key(kind: str) -> dict[str, int]:
    """Journal key → its line on the shop-order cash account."""
    lines = LedgerLine.objects.filter(journal__kind=kind, account=LedgerAccount.STORE_CASH)
    return dict(lines.values_list("journal__idempotency_key", "amount_minor"))


def storefront_ledger_check() -> LedgerCheck:
    check = LedgerCheck()
    unbalanced = (Journal.objects.filter(kind__in=STOREFRONT_KINDS).annotate(total=Sum("lines__amount_minor"))
                  .exclude(total=0).values_list("idempotency_key", flat=True))  # fmt: skip
    check.problems += [f"unbalanced journal {key}" for key in unbalanced]
    paid_cash, refund_cash = _cash_by_key(JournalKind.ORDER_PAID), _cash_by_key(JournalKind.ORDER_REFUNDED)
    expected_paid, expected_refunds, cash = set(), set(), 0
    refunded_by_order: dict[int, int] = {}
    orders = Order.objects.filter(paid_at__isnull=False, total_minor__gt=0).only(
        "uuid", "total_minor", "refunded_minor", "stored_value_minor", "stored_value_returned_minor")  # fmt: skip
    for order in orders:
        check.orders += 1
        refunded_by_order[order.pk] = order.stored_value_returned_minor
        if not order.rail_minor:
            continue
        key = f"{JournalKind.ORDER_PAID}:{order.uuid}"
        expected_paid.add(key)
        if paid_cash.get(key) != order.rail_minor:
            check.problems.append(f"{key}: booked {paid_cash.get(key)}, paid {order.rail_minor}")
        cash += order.rail_minor - (order.refunded_minor - order.stored_value_returned_minor)
    for refund in OrderRefund.objects.filter(status=PaymentStatus.SUCCEEDED).only("idempotency_key", "amount_minor", "order_id"):
        check.refunds += 1
        expected_refunds.add(refund.idempotency_key)
        refunded_by_order[refund.order_id] = refunded_by_order.get(refund.order_id, 0) + refund.amount_minor
        if refund_cash.get(refund.idempotency_key) != -refund.amount_minor:
            check.problems.append(f"{refund.idempotency_key}: booked {refund_cash.get(refund.idempotency_key)}, "
                                  f"refunded {refund.amount_minor}")  # fmt: skip
    check.problems += [f"{key}: booked without a paid order" for key in set(paid_cash) - expected_paid]
    check.problems += [f"{key}: booked without a confirmed refund" for key in set(refund_cash) - expected_refunds]
    for order_id, refunded in Order.objects.filter(refunded_minor__gt=0).values_list("pk", "refunded_minor"):
        if refunded_by_order.pop(order_id, 0) != refunded:
            check.problems.append(f"order {order_id}: refunded {refunded} but its refunds sum otherwise")
    check.problems += [f"order {order_id}: refunds not counted on the order"
                       for order_id, refunded in refunded_by_order.items() if refunded]  # fmt: skip
    booked = LedgerLine.objects.filter(account=LedgerAccount.STORE_CASH, journal__kind__in=(JournalKind.ORDER_PAID, JournalKind.ORDER_REFUNDED)).aggregate(total=Sum("amount_minor"))["total"] or 0
    if booked != cash:
        check.problems.append(f"shop-order cash {booked} ≠ paid less refunded {cash}")
    return check
