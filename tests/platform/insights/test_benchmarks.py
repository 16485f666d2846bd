"""Quartiles across shops, stored only when at least five shops contribute."""
from datetime import UTC, date, datetime
from decimal import Decimal

from pawpact.core.clock import FixedClock
from pawpact.platform.kpis.benchmarks import kpi_benchmarks_compute
from pawpact.platform.kpis.selectors import kpi_ranking, shop_benchmark_rows
from pawpact.platform.models import KpiBenchmark, ShopMonthlyKpi
from pawpact.platform.tasks import kpi_benchmarks_task
from tests.platform.insights.conftest import MARCH, kpi_row, peer_shop


def test_quartiles_per_kpi_over_six_shops(peers, clock):
    stored = kpi_benchmarks_compute(month=MARCH, clock=clock)

    # The KPIs every shop has a value of; renewal, bad debt, complaints and LTV have none.
    assert sorted(b.kpi for b in stored) == [
        "debit_success_rate", "overdue_rate", "plan_revenue", "plan_revenue_share", "signings"]  # fmt: skip
    success = KpiBenchmark.objects.get(month=MARCH, kpi="debit_success_rate")
    # Sorted: 0.9123 0.9377 0.9641 0.98 0.9911 0.9999 → positions 1.25, 2.5, 3.75.
    assert (success.shops, success.p25, success.p50, success.p75) == (
        6, Decimal("0.944300"), Decimal("0.972050"), Decimal("0.988325"))  # fmt: skip
    overdue = KpiBenchmark.objects.get(month=MARCH, kpi="overdue_rate")  # 1.1 2.3 3.7 4 5.3 6.1 %
    assert (overdue.p25, overdue.p50, overdue.p75) == (Decimal("0.026500"), Decimal("0.038500"), Decimal("0.049750"))
    assert success.computed_at == clock.now()


def test_fewer_than_five_shops_give_no_benchmark_and_a_stale_one_goes(shop, clock):
    shops = [shop] + [peer_shop(index) for index in range(1, 4)]
    for index, one in enumerate(shops):
        kpi_row(one, MARCH, debits_attempted=100, debits_succeeded=90 + index)
    assert kpi_benchmarks_compute(month=MARCH, clock=clock) == []

    kpi_row(peer_shop(4), MARCH, debits_attempted=100, debits_succeeded=99)
    assert [b.kpi for b in kpi_benchmarks_compute(month=MARCH, clock=clock)] == ["debit_success_rate", "signings",
                                                                                 "plan_revenue"]  # fmt: skip
    ShopMonthlyKpi.objects.filter(shop=shops[0]).delete()
    kpi_benchmarks_compute(month=MARCH, clock=clock)
    assert not KpiBenchmark.objects.filter(month=MARCH, kpi="debit_success_rate").exists()


def test_the_task_twice_keeps_one_benchmark_per_kpi(peers, time_machine):
    time_machine.move_to(datetime(2026, 4, 1, 4, 0, tzinfo=UTC), tick=False)  # noon on 1 April in Beijing
    assert kpi_benchmarks_task.delay().get() == 5  # default: the month containing yesterday, March
    assert kpi_benchmarks_task.delay(MARCH.isoformat()).get() == 5
    assert KpiBenchmark.objects.filter(month=MARCH).count() == 5
    assert not KpiBenchmark.objects.exclude(month=MARCH).exists()


def test_a_shop_sees_its_value_and_the_quartiles_only(peers, clock):
    kpi_benchmarks_compute(month=MARCH, clock=clock)
    rows = {row.kpi: row for row in shop_benchmark_rows(shop_id=peers["alpha"].pk, month=MARCH)}

    success = rows["debit_success_rate"]
    assert (success.value, success.p50, success.shops, success.target_met) == (
        Decimal("0.980000"), Decimal("0.972050"), 6, True)  # fmt: skip
    assert success.quartile == 3  # between the median and the 75th percentile
    overdue = rows["overdue_rate"]  # 4 %: between the median and the 75th percentile; lower is better
    assert (overdue.value, overdue.target_met, overdue.quartile) == (Decimal("0.040000"), False, 2)
    assert rows["renewal_rate"].p50 is None and rows["renewal_rate"].value is None


def test_platform_ranking_orders_every_shop_best_first(peers, clock):
    by_success = kpi_ranking(kpi="debit_success_rate", month=MARCH)
    assert [(r.rank, r.slug) for r in by_success] == [
        (1, "peer-005"), (2, "peer-004"), (3, "alpha"), (4, "peer-003"), (5, "peer-002"), (6, "peer-001")]  # fmt: skip
    by_overdue = kpi_ranking(kpi="overdue_rate", month=MARCH)  # lower is better
    assert [r.slug for r in by_overdue][:2] == ["peer-001", "peer-002"]
    assert by_overdue[-1].slug == "peer-005" and by_overdue[-1].value_display == "6.10%"


def test_a_later_month_does_not_mix_in(peers):
    april = date(2026, 4, 1)
    kpi_row(peers["alpha"], april, debits_attempted=10, debits_succeeded=1)
    kpi_benchmarks_compute(month=april, clock=FixedClock(datetime(2026, 4, 20, tzinfo=UTC)))
    assert not KpiBenchmark.objects.filter(month=april).exists()  # one shop only
