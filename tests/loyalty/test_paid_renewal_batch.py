"""The batched renewal run: the same rows as renewing one by one (periods, journals, events,
declines retried with a message, cancelled memberships ended), and a run killed after the
rail was asked, or before, charges every membership exactly once when rerun."""
from datetime import date, timedelta

import pytest

from pawpact.billing.enums import JournalKind
from pawpact.billing.models import Journal
from pawpact.billing.selectors import ledger_check
from pawpact.core.clock import FixedClock
from pawpact.loyalty import paid_renewal_batch
from pawpact.loyalty.paid_membership import paid_membership_join
from pawpact.loyalty.paid_models import ChargeStatus, PaidCharge, PaidMembership, PaidStatus
from pawpact.loyalty.paid_refunds import paid_membership_cancel
from pawpact.loyalty.paid_renewals import paid_renewals_run, paid_renewals_run_one_by_one
from pawpact.messaging.models import Message
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from tests.loyalty.conftest import NOW, member
from tests.loyalty.paid_helpers import method, plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_shop")]
APRIL_9 = date(2026, 4, 9)


class Killed(BaseException):
    """A worker's SIGKILL, as far as the run can tell: nothing after it runs."""


def _members(count: int, clock, *, declining: int = 0, cancelled: int = 0) -> list[PaidMembership]:
    monthly, joined = plan(990), []
    for index in range(count):
        customer = member()
        card = method(customer)
        joined.append(paid_membership_join(customer=customer, plan=monthly, payment_method=card, request_key="j",
                                           clock=clock))  # fmt: skip
        if index < declining:  # the card ran dry after joining
            PaidMembership.objects.filter(pk=joined[-1].pk).update(payment_method=method(customer, "tok_insufficient_funds"))
        elif index < declining + cancelled:
            paid_membership_cancel(membership=joined[-1], clock=clock)
    return joined


def _books() -> dict:
    return {
        "statuses": sorted(PaidMembership.objects.values_list("status", "period_end")),
        "charges": sorted(PaidCharge.objects.values_list("period_start", "attempt", "status", "amount_minor")),
        "journals": Journal.objects.filter(kind=JournalKind.MEMBERSHIP_PAID).count(),
        "events": sorted(OutboxEvent.objects.filter(kind__startswith="membership.").values_list("kind", flat=True)),
        "messages": Message.objects.filter(topic="paid_membership").count(),
        "rail": sorted(SandboxCharge.objects.values_list("amount_minor", "outcome")),
    }


@pytest.mark.parametrize("run", ["batched", "one_by_one"])
def test_the_batched_run_writes_what_renewing_one_by_one_writes(shop, run):
    clock = FixedClock(NOW)
    _members(7, clock, declining=2, cancelled=1)
    clock.advance(timedelta(days=31))
    if run == "batched":
        assert paid_renewals_run(clock=clock, batch_size=3) == 6
    else:
        assert paid_renewals_run_one_by_one(clock=clock) == 6
    books = _books()
    assert books["statuses"] == sorted([(PaidStatus.PAST_DUE, APRIL_9)] * 2 + [(PaidStatus.ENDED, APRIL_9)]
                                       + [(PaidStatus.ACTIVE, date(2026, 5, 9))] * 4)  # fmt: skip
    assert books["charges"] == sorted([(date(2026, 3, 9), 1, ChargeStatus.PAID, 990)] * 7
                                      + [(APRIL_9, 1, ChargeStatus.PAID, 990)] * 4
                                      + [(APRIL_9, 1, ChargeStatus.FAILED, 990)] * 2)  # fmt: skip
    assert books["journals"] == 11 and books["messages"] == 4  # in-app and SMS per decline
    assert books["events"] == ["membership.charged"] * 11 + ["membership.ended"]
    assert books["rail"] == sorted([(990, "succeeded")] * 11 + [(990, "insufficient_funds")] * 2)
    renewed = OutboxEvent.objects.filter(kind="membership.charged", payload__renewal=True)
    assert sorted(e.payload["period_start"] for e in renewed) == ["2026-04-09"] * 4
    assert ledger_check().is_ok
    clock.advance(timedelta(days=1, hours=1))  # the declines' first retry: attempt 2 of the period
    assert paid_renewals_run(clock=clock) == 2
    assert sorted(PaidCharge.objects.filter(period_start=APRIL_9, attempt=2).values_list("status", flat=True)) == [
        ChargeStatus.FAILED, ChargeStatus.FAILED]  # fmt: skip


def test_a_run_killed_after_the_rail_answered_charges_each_membership_once_when_rerun(shop, monkeypatch):
    clock = FixedClock(NOW)
    _members(5, clock)
    clock.advance(timedelta(days=31))
    real_record = paid_renewal_batch.renewals_record

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(paid_renewal_batch, "renewals_record", killed)
    with pytest.raises(Killed):  # batches of 2: two batches asked of the rail, none recorded
        paid_renewals_run(clock=clock, batch_size=2)
    assert PaidCharge.objects.filter(status=ChargeStatus.PAYING).count() == 4
    assert SandboxCharge.objects.filter(outcome="succeeded").count() == 5 + 4
    monkeypatch.setattr(paid_renewal_batch, "renewals_record", real_record)
    assert paid_renewals_run(clock=clock, batch_size=2) == 1  # within the lease: only the fifth
    clock.advance(timedelta(minutes=6))
    assert paid_renewals_run(clock=clock, batch_size=2) == 4  # resumed under their own keys
    assert paid_renewals_run(clock=clock, batch_size=2) == 0
    assert SandboxCharge.objects.filter(outcome="succeeded").count() == 10  # the rail moved money once per period
    assert sorted(PaidMembership.objects.values_list("status", "period_end")) == [(PaidStatus.ACTIVE, date(2026, 5, 9))] * 5
    assert PaidCharge.objects.filter(period_start=APRIL_9, status=ChargeStatus.PAID).count() == 5
    assert PaidCharge.objects.filter(period_start=APRIL_9).count() == 5
    assert Journal.objects.filter(kind=JournalKind.MEMBERSHIP_PAID).count() == 10
    assert OutboxEvent.objects.filter(kind="membership.charged").count() == 10
    assert ledger_check().is_ok


def test_a_run_killed_before_asking_the_rail_charges_each_membership_once_when_rerun(shop, monkeypatch):
    clock = FixedClock(NOW)
    _members(3, clock)
    clock.advance(timedelta(days=31))

    def killed(self, charges):
        raise Killed

    monkeypatch.setattr(paid_renewal_batch.RenewalCalls, "start", killed)
    with pytest.raises(Killed):
        paid_renewals_run(clock=clock, batch_size=2)
    monkeypatch.undo()
    assert PaidCharge.objects.filter(status=ChargeStatus.PAYING).count() == 2  # committed, never sent
    assert paid_renewals_run(clock=clock, batch_size=2) == 1
    clock.advance(timedelta(minutes=6))
    assert paid_renewals_run(clock=clock, batch_size=2) == 2
    assert SandboxCharge.objects.filter(outcome="succeeded").count() == 6
    assert PaidCharge.objects.filter(period_start=APRIL_9, status=ChargeStatus.PAID).count() == 3
    assert ledger_check().is_ok
