"""Which contracts a billing run acts for, told by the clock it runs on.

A test-mode contract attached to a test clock lives at its clock's time: the real daily
runs leave it alone, and a run on a test clock (pawpact.billing.services.test_clocks)
acts for that clock's contracts only, so advancing one developer's clock moves nothing else.
"""
from django.db.models import Exists, OuterRef, Q

from pawpact.billing.models import Contract
from pawpact.core.clock import Clock


def clock_test_clock_id(clock: Clock) -> int | None:
    return getattr(clock, "test_clock_id", None)


def clock_scope_q(clock: Clock, *, prefix: str = "contract__") -> Q:
    """Rows (reached through `prefix` to their contract) that a run on `clock` acts for."""
    test_clock_id = clock_test_clock_id(clock)
    if test_clock_id is None:
        return Q(**{f"{prefix}test_clock__isnull": True})
    return Q(**{f"{prefix}test_clock_id": test_clock_id})


def customer_scope_q(clock: Clock) -> Q:
    """Customers a run on `clock` refreshes: those with a contract on the test clock, or on the
    real clock those with none on any test clock."""
    test_clock_id = clock_test_clock_id(clock)
    if test_clock_id is None:
        return ~Exists(Contract.objects.filter(customer=OuterRef("pk"), test_clock__isnull=False))
    return Exists(Contract.objects.filter(customer=OuterRef("pk"), test_clock_id=test_clock_id))
