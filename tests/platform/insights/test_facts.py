"""Facts from drained events only, on a hand-computed month; and through the real
signing flow and outbox drain of a shop."""
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.core.clock import FixedClock
from pawpact.core.errors import ValidationFailed
from pawpact.platform.kpis.facts import kpi_facts_compute
from pawpact.platform.models import ShopMonthlyKpi
from tests.platform.insights.conftest import (
    FEBRUARY,
    MARCH,
    at,
    complaint,
    debit,
    order,
    overdue,
    recovered,
    renewed,
    sign,
    terminate,
    written_off,
)
from tests.consent import consented

FACTS = [
    "signings", "plan_revenue_minor", "total_revenue_minor", "debits_attempted", "debits_succeeded",
    "active_contracts", "overdue_contracts", "receivable_minor", "bad_debt_minor", "complaints", "customers",
    "renewals_due", "renewals", "plan_customer_ltv_minor", "ordinary_customer_ltv_minor",
]  # fmt: skip


def facts_of(row: ShopMonthlyKpi) -> dict:
    return {name: getattr(row, name) for name in FACTS}


def test_seed_example_month(shop, clock):
    """30 signings at 60/30/10 % Basic/Advanced/Premium, each with its first debit taken."""
    for index, plan in enumerate(["basic"] * 18 + ["advanced"] * 9 + ["premium"] * 3):
        sign(shop, at(1 + index % 28), plan=plan)

    row = kpi_facts_compute(shop=shop, month=MARCH, clock=clock)

    assert (row.signings, row.plan_revenue_minor, row.total_revenue_minor) == (30, 1_527_000, 1_527_000)
    assert (row.debits_attempted, row.debits_succeeded, row.active_contracts, row.customers) == (30, 30, 30, 30)
    assert row.values["signings"] == 30 and row.values["plan_revenue"] == 1_527_000
    assert row.values["debit_success_rate"] == "1.000000"
    # No ordinary order was paid and no complaint opened or resolved: no data, not 100 % and 0 %.
    assert row.values["plan_revenue_share"] is None and row.values["complaint_rate"] is None
    assert row.values["renewal_rate"] is None and row.values["ltv_ratio"] is None


@pytest.fixture
def march(shop):
    """A month worked out by hand (every figure below is in the test's expectations)."""
    a, b, c, d, e, f, g, h, i = (str(uuid.uuid4()) for _ in range(9))
    x, y = str(uuid.uuid4()), str(uuid.uuid4())  # ordinary customers: orders only
    # Contracts from a year ago that complete in March; C renews, D does not, E renews in April.
    old_c = sign(shop, at(5, 3, 2025), customer=c)
    old_d = sign(shop, at(20, 3, 2025), customer=d)
    old_e = sign(shop, at(25, 3, 2025), customer=e)
    # February: four contracts start.
    c1 = sign(shop, at(10, 2), customer=a)
    c2 = sign(shop, at(12, 2), plan="advanced", customer=b)
    c5 = sign(shop, at(20, 2), customer=h)
    c6 = sign(shop, at(22, 2), customer=i)
    order(shop, at(1, 2), customer=y, amount=5000)
    order(shop, at(3, 12, 2025), customer=x, amount=2000)
    # March.
    debit(shop, at(5), contract=old_c, amount=39900, period=12)
    terminate(shop, at(5, hour=13), contract=old_c, reason="completion")
    new_c = sign(shop, at(6), customer=c)  # a renewal is a signing too
    renewed(shop, at(5, hour=13), contract=old_c, renewal=new_c)
    debit(shop, at(20), contract=old_d, amount=39900, period=12)
    terminate(shop, at(20, hour=13), contract=old_d, reason="completion")
    debit(shop, at(25), contract=old_e, amount=39900, period=12)
    terminate(shop, at(25, hour=13), contract=old_e, reason="completion")
    sign(shop, at(10), plan="premium", customer=f)
    sign(shop, at(11), customer=g)
    debit(shop, at(10), contract=c1, amount=39900, attempt=1, paid=False)
    overdue(shop, at(11), contract=c1)
    debit(shop, at(13), contract=c1, amount=39900, attempt=2)
    recovered(shop, at(13, hour=14), contract=c1)
    debit(shop, at(12), contract=c2, amount=59900)
    overdue(shop, at(21), contract=c5)  # still overdue at the month's end
    overdue(shop, at(1), contract=c6)
    terminate(shop, at(28), contract=c6, reason="default")
    written_off(shop, at(28, hour=14), contract=c6)
    order(shop, at(8), customer=a, amount=12000)
    order(shop, at(9), customer=x, amount=8000)
    complaint(shop, at(15), customer=a)
    # April: outside the month.
    renewed(shop, at(2, 4), contract=old_e, renewal=sign(shop, at(2, 4), customer=e))
    debit(shop, at(1, 4, hour=0), contract=c2, amount=59900, period=3)  # 00:00 Beijing on 1 April


def test_a_hand_computed_month(shop, clock, march):
    row = kpi_facts_compute(shop=shop, month=MARCH, clock=clock)

    # Debits in March: 3 first debits of new contracts (39,900 + 89,900 + 39,900), c1's period 2
    # failed then paid (2 attempts), c2's period 2 (59,900), the 3 old contracts' last periods.
    plan_revenue = 39900 + 89900 + 39900 + 39900 + 59900 + 3 * 39900
    assert plan_revenue == 389_200
    assert facts_of(row) == {
        "signings": 3,
        "plan_revenue_minor": 389_200,
        "total_revenue_minor": 389_200 + 12_000 + 8_000,
        "debits_attempted": 9,
        "debits_succeeded": 8,
        # c1, c2, c5 (Feb), the renewal, f's and g's: the 3 completed and the defaulted c6 are not.
        "active_contracts": 6,
        "overdue_contracts": 1,  # c5; c1 recovered; c6 ended
        "receivable_minor": 389_200,  # first attempts only: c1's retry is not due twice
        "bad_debt_minor": 39_900,
        "complaints": 1,
        "customers": 7,  # A B C F G H with active contracts, X with an order
        "renewals_due": 3,
        "renewals": 1,  # E renewed in April, after the month
        # Plan customers A B C D E F G H I: debits to date (389,200 in March + 299,300 before)
        # and A's order, over 9; ordinary X (2,000 + 8,000) and Y (5,000) over 2.
        "plan_customer_ltv_minor": 77_833,  # 700,500 / 9 = 77,833.3
        "ordinary_customer_ltv_minor": 7_500,
    }
    assert row.values == {
        "debit_success_rate": "0.888889",
        "renewal_rate": "0.333333",
        "overdue_rate": "0.166667",
        "bad_debt_rate": "0.102518",  # 39,900 / 389,200
        "complaint_rate": "0.142857",
        "plan_revenue_share": "0.951124",  # 389,200 / 409,200
        "ltv_ratio": "10.377733",  # 77,833 / 7,500
        "signings": 3,
        "plan_revenue": 389_200,
    }


def test_february_and_april_are_their_own_months(shop, clock, march):
    february = kpi_facts_compute(shop=shop, month=FEBRUARY, clock=clock)
    april = kpi_facts_compute(shop=shop, month=datetime(2026, 4, 1).date(), clock=clock)

    assert (february.signings, february.plan_revenue_minor, february.total_revenue_minor) == (4, 179_600, 184_600)
    assert (february.active_contracts, february.overdue_contracts) == (7, 0)
    assert (april.signings, april.plan_revenue_minor, april.debits_attempted) == (1, 39_900 + 59_900, 2)


def test_computing_twice_keeps_one_row_with_the_new_figures(shop, clock):
    sign(shop, at(3))
    first = kpi_facts_compute(shop=shop, month=MARCH, clock=clock)
    sign(shop, at(4))  # drained later
    later = FixedClock(datetime(2026, 4, 16, 4, 0, tzinfo=UTC))
    second = kpi_facts_compute(shop=shop, month=MARCH, clock=later)

    assert ShopMonthlyKpi.objects.filter(shop=shop, month=MARCH).count() == 1
    assert second.pk == first.pk
    assert (second.signings, second.plan_revenue_minor, second.computed_at) == (2, 79_800, later.now())


def test_a_shop_sees_only_its_own_events(shop, other_shop, clock):
    sign(shop, at(3))
    sign(other_shop, at(3), plan="premium")
    sign(other_shop, at(4), plan="premium")

    assert kpi_facts_compute(shop=shop, month=MARCH, clock=clock).plan_revenue_minor == 39_900
    assert kpi_facts_compute(shop=other_shop, month=MARCH, clock=clock).plan_revenue_minor == 179_800


def test_a_month_that_has_not_started_is_refused_and_nothing_is_written(shop, clock):
    with pytest.raises(ValidationFailed):
        kpi_facts_compute(shop=shop, month=datetime(2026, 5, 1).date(), clock=clock)
    assert not ShopMonthlyKpi.objects.exists()


def test_through_the_real_signing_flow_and_the_outbox_drain(shop, clock):
    """contract.signed and debit.paid as billing writes them, drained by the platform's drain."""
    from pawpact.billing.models import Plan
    from pawpact.billing.services.activation import contract_activate
    from pawpact.billing.services.payment_methods import payment_method_attach
    from pawpact.billing.services.signing import (
        application_create,
        application_credit_check,
        contract_attach_payment_method,
        contract_sign,
    )
    from pawpact.customers.services import customer_create, pet_create
    from pawpact.platform.drain import outbox_drain_shop

    march_10 = FixedClock(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    with time_machine.travel(march_10.now(), tick=False), schema_context(shop.schema_name):
        advanced = Plan.objects.get(code="advanced").versions.get(version=1)
        customer = customer_create(name="Li Lei", phone="13900009999", birth_date=datetime(1990, 1, 1).date(),
                                   clock=march_10)  # fmt: skip
        pet = pet_create(owner=customer, name="Dudu", species="dog")
        contract = application_create(customer=customer, pet=pet, plan_version_id=advanced.pk, clock=march_10)
        application_credit_check(contract=consented(contract), clock=march_10)
        contract = contract_sign(contract=contract, signer_name="Li Lei", ip="203.0.113.9", user_agent="x",
                                 clock=march_10)  # fmt: skip
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        contract = contract_attach_payment_method(contract=contract, payment_method=method)
        contract_activate(contract=contract, clock=march_10)
        outbox_drain_shop(shop=shop, clock=march_10)

    row = kpi_facts_compute(shop=shop, month=MARCH, clock=clock)

    assert facts_of(row) == {
        **{name: 0 for name in FACTS},
        "signings": 1,
        "plan_revenue_minor": 59_900,
        "total_revenue_minor": 59_900,
        "debits_attempted": 1,
        "debits_succeeded": 1,
        "active_contracts": 1,
        "receivable_minor": 59_900,
        "customers": 1,
        "plan_customer_ltv_minor": 59_900,
    }


def test_the_nightly_facts_run_twice_keeps_one_row_per_shop(shop, other_shop, time_machine):
    from pawpact.platform.tasks import kpi_facts_dispatch_task

    sign(shop, at(3))
    time_machine.move_to(datetime(2026, 3, 31, 16, 40, tzinfo=UTC), tick=False)  # 00:40 on 1 April in Beijing
    assert kpi_facts_dispatch_task.delay().get() == 2  # the month containing yesterday: March
    kpi_facts_dispatch_task.delay()

    assert sorted(ShopMonthlyKpi.objects.values_list("shop__slug", "month", "signings")) == [
        ("alpha", MARCH, 1), ("beta", MARCH, 0)]  # fmt: skip


def test_order_refunds_come_off_revenue_share_and_ltv(shop, clock):
    """A plan customer's 39,900 debit; ordinary X pays 10,000 and 6,000 and gets 4,000 back,
    ordinary Y pays 5,000 and is refunded in full (a cancelled order)."""
    from pawpact.core.events import EventKind
    from tests.platform.insights.conftest import emit

    sign(shop, at(2), customer="A")
    order(shop, at(3), customer="X", amount=10_000)
    order(shop, at(4), customer="X", amount=6_000)
    order(shop, at(5), customer="Y", amount=5_000)
    for customer, amount in (("X", 4_000), ("Y", 5_000)):
        emit(shop, EventKind.ORDER_REFUNDED, at(6), order_uuid=str(uuid.uuid4()), customer_uuid=customer,
             amount_minor=amount, refunded_minor=amount, currency="CNY", reason="damaged", at=at(6).isoformat())  # fmt: skip

    row = kpi_facts_compute(shop=shop, month=MARCH, clock=clock)

    assert (row.plan_revenue_minor, row.total_revenue_minor) == (39_900, 39_900 + 12_000)
    assert row.values["plan_revenue_share"] == "0.768786"  # 39,900 / 51,900
    assert row.ordinary_customer_ltv_minor == 6_000  # (12,000 + 0) / 2
