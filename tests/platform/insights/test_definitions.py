"""The KPI definitions on hand-computed facts (pure functions: no database)."""
from decimal import Decimal
from types import SimpleNamespace

import pytest

from pawpact.platform.enums import Kpi
from pawpact.platform.kpis import definitions as d
from pawpact.platform.kpis.benchmarks import percentile, quartiles


def facts(**overrides):
    base = dict(
        signings=0, plan_revenue_minor=0, total_revenue_minor=0, debits_attempted=0, debits_succeeded=0,
        active_contracts=0, overdue_contracts=0, receivable_minor=0, bad_debt_minor=0, complaints=0, complaints_resolved=0, customers=0,
        renewals_due=0, renewals=0, plan_customer_ltv_minor=0, ordinary_customer_ltv_minor=0,
    )  # fmt: skip
    return SimpleNamespace(**{**base, **overrides})


def test_seed_example_thirty_signings_at_60_30_10_percent():
    """SPEC §4: 30 × (399 × 0.6 + 599 × 0.3 + 899 × 0.1) CNY of monthly plan revenue.

    That is 30 × 509 = 15,270 CNY (1,527,000 fen). SPEC.md prints "12,570", a transposition
    of the same digits: 18 × 399 + 9 × 599 + 3 × 899 = 7,182 + 5,391 + 2,697 = 15,270.
    """
    revenue = 18 * 39900 + 9 * 59900 + 3 * 89900
    month = facts(signings=30, plan_revenue_minor=revenue, total_revenue_minor=revenue, debits_attempted=30,
                  debits_succeeded=30)

    assert revenue == 1_527_000
    assert d.signings(month) == 30
    assert d.plan_revenue(month) == 1_527_000
    assert d.kpi_format(Kpi.PLAN_REVENUE, d.plan_revenue(month)) == "¥15,270.00"
    # No ordinary order paid: the share has no data rather than a 100 % that meets the target.
    assert d.plan_revenue_share(month) is None
    assert d.plan_revenue_share(facts(plan_revenue_minor=revenue, total_revenue_minor=revenue + 1)) == Decimal("0.999999")


def test_each_rate_on_a_hand_computed_month():
    month = facts(
        debits_attempted=250, debits_succeeded=246,  # 98.4 %
        renewals_due=8, renewals=5,  # 62.5 %
        active_contracts=120, overdue_contracts=4,  # 3.333… %
        receivable_minor=9_000_000, bad_debt_minor=59_900,  # 0.66555… %
        customers=130, complaints=3,  # 2.307… %
        plan_revenue_minor=1_257_000, total_revenue_minor=2_514_100,  # 49.998011… %
        plan_customer_ltv_minor=479_000, ordinary_customer_ltv_minor=210_000,  # 2.280952…×
    )  # fmt: skip
    assert d.debit_success_rate(month) == Decimal("0.984000")
    assert d.renewal_rate(month) == Decimal("0.625000")
    assert d.overdue_rate(month) == Decimal("0.033333")
    assert d.bad_debt_rate(month) == Decimal("0.006656")  # 0.0066555… rounds half up
    assert d.complaint_rate(month) == Decimal("0.023077")
    assert d.plan_revenue_share(month) == Decimal("0.499980")
    assert d.ltv_ratio(month) == Decimal("2.280952")
    values = d.kpi_values(month)
    assert list(values) == [kpi.value for kpi in Kpi]
    assert values["signings"] == 0 and values["plan_revenue"] == 1_257_000


def test_a_rate_without_a_denominator_is_empty_not_zero():
    empty = facts()
    # A month without any event: every KPI, counts included, is no data.
    assert [d.DEFINITIONS[k].compute(empty) for k in d.DEFINITIONS] == [None] * 9
    assert d.kpi_format(Kpi.OVERDUE_RATE, None) == "no data"


@pytest.mark.parametrize(
    ("kpi", "value", "met"),
    [
        (Kpi.DEBIT_SUCCESS_RATE, "0.98", True), (Kpi.DEBIT_SUCCESS_RATE, "0.979999", False),
        (Kpi.RENEWAL_RATE, "0.60", True), (Kpi.RENEWAL_RATE, "0.59", False),
        (Kpi.OVERDUE_RATE, "0.03", True), (Kpi.OVERDUE_RATE, "0.030001", False),
        (Kpi.BAD_DEBT_RATE, "0.01", True), (Kpi.BAD_DEBT_RATE, "0.010001", False),
        (Kpi.COMPLAINT_RATE, "0.02", True), (Kpi.COMPLAINT_RATE, "0.021", False),
        (Kpi.PLAN_REVENUE_SHARE, "0.40", True), (Kpi.PLAN_REVENUE_SHARE, "0.399999", False),
        (Kpi.LTV_RATIO, "2", True), (Kpi.LTV_RATIO, "1.999999", False),
    ],
)  # fmt: skip
def test_targets_are_the_spec_ones(kpi, value, met):
    assert d.DEFINITIONS[kpi].target_met(Decimal(value)) is met


def test_targets_as_data_and_for_people():
    targets = {kpi: (definition.direction, definition.target) for kpi, definition in d.DEFINITIONS.items()}
    assert targets == {
        "debit_success_rate": (d.Direction.AT_LEAST, Decimal("0.98")),
        "renewal_rate": (d.Direction.AT_LEAST, Decimal("0.60")),
        "overdue_rate": (d.Direction.AT_MOST, Decimal("0.03")),
        "bad_debt_rate": (d.Direction.AT_MOST, Decimal("0.01")),
        "complaint_rate": (d.Direction.AT_MOST, Decimal("0.02")),
        "plan_revenue_share": (d.Direction.AT_LEAST, Decimal("0.40")),
        "ltv_ratio": (d.Direction.AT_LEAST, Decimal("2")),
        "signings": (d.Direction.AT_LEAST, None),
        "plan_revenue": (d.Direction.AT_LEAST, None),
    }
    assert d.target_format("debit_success_rate") == "≥ 98.00%"
    assert d.target_format("overdue_rate") == "≤ 3.00%"
    assert d.target_format("ltv_ratio") == "≥ 2.00×"
    assert d.target_format("signings") == ""
    assert d.DEFINITIONS["signings"].target_met(30) is None


def test_values_survive_the_json_round_trip():
    month = facts(debits_attempted=3, debits_succeeded=2, signings=7, plan_revenue_minor=123)
    for kpi, value in d.kpi_values(month).items():
        assert d.from_json(kpi, d.to_json(value)) == value
    assert d.to_json(Decimal("0.666667")) == "0.666667"


def test_percentiles_interpolate_linearly_between_ranks():
    values = [Decimal(v) for v in ("0.90", "0.95", "0.97", "0.98", "0.99")]
    assert quartiles(values) == quartiles(list(reversed(values)))
    q = quartiles(values)
    assert (q.p25, q.p50, q.p75) == (Decimal("0.950000"), Decimal("0.970000"), Decimal("0.980000"))
    six = [Decimal(v) for v in (1, 2, 3, 4, 5, 6)]
    assert percentile(six, Decimal("0.25")) == Decimal("2.250000")  # position 1.25
    assert percentile(six, Decimal("0.5")) == Decimal("3.500000")
    assert percentile(six, Decimal("0.75")) == Decimal("4.750000")
    assert percentile([Decimal(7)], Decimal("0.75")) == Decimal("7.000000")
