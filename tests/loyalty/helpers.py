"""Events as the subscribers receive them, for the loyalty tests."""
import itertools
from datetime import datetime, timedelta

from pawpact.loyalty.points import DEBIT_POINTS, EarnEvent, points_events_apply

_keys = itertools.count(1)


def debit(customer, *, at: datetime, amount_minor: int = 39_900, on_time: bool = True, key: str | None = None):
    return EarnEvent(
        source_key=key or f"debit.paid:test:{next(_keys)}", source_event="debit.paid", customer_id=customer.pk,
        base_points=DEBIT_POINTS, occurred_at=at, activity="debit", amount_minor=amount_minor, on_time=on_time,
    )


def order(customer, *, at: datetime, amount_minor: int, key: str | None = None):
    return EarnEvent(
        source_key=key or f"order.paid:test:{next(_keys)}", source_event="order.paid", customer_id=customer.pk,
        base_points=amount_minor // 100, occurred_at=at, activity="order", amount_minor=amount_minor,
    )


def monthly_debits(customer, *, count: int, last: datetime, on_time=lambda i: True, amount_minor: int = 39_900):
    """`count` paid months ending at `last`, oldest first."""
    events = [
        debit(customer, at=last - timedelta(days=30 * (count - 1 - i)), amount_minor=amount_minor, on_time=on_time(i))
        for i in range(count)
    ]
    points_events_apply(events=events)
    return events
