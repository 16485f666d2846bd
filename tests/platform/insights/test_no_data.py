"""A KPI whose source had no events in the month is "no data" (None), never 0 % or 100 %."""
from decimal import Decimal

import pytest

from pawpact.platform.kpis import definitions as d
from pawpact.platform.kpis.facts import Facts

BUSY = Facts(signings=3, plan_revenue_minor=30_000, total_revenue_minor=40_000, debits_attempted=4,
             debits_succeeded=3, active_contracts=10, overdue_contracts=1, receivable_minor=40_000,
             bad_debt_minor=400, complaints=1, complaints_resolved=0, customers=50, renewals_due=2, renewals=1,
             plan_customer_ltv_minor=300_000, ordinary_customer_ltv_minor=100_000)  # fmt: skip

NO_SOURCE = {
    "debit_success_rate": {"debits_attempted": 0, "debits_succeeded": 0},
    "renewal_rate": {"renewals_due": 0, "renewals": 0},
    "overdue_rate": {"active_contracts": 0, "overdue_contracts": 0},
    "bad_debt_rate": {"receivable_minor": 0, "bad_debt_minor": 0},
    "complaint_rate": {"complaints": 0, "complaints_resolved": 0},
    "plan_revenue_share": {"total_revenue_minor": 30_000},  # no ordinary order paid
    "ltv_ratio": {"ordinary_customer_ltv_minor": 0},
    "signings": {"signings": 0, "debits_attempted": 0, "renewals_due": 0},
    "plan_revenue": {"debits_attempted": 0, "debits_succeeded": 0, "plan_revenue_minor": 0},
}


def test_every_kpi_is_covered():
    assert set(NO_SOURCE) == set(d.DEFINITIONS)


def test_with_data_every_kpi_has_a_value():
    values = d.kpi_values(BUSY)
    assert values == {
        "debit_success_rate": Decimal("0.750000"), "renewal_rate": Decimal("0.500000"),
        "overdue_rate": Decimal("0.100000"), "bad_debt_rate": Decimal("0.010000"),
        "complaint_rate": Decimal("0.020000"), "plan_revenue_share": Decimal("0.750000"),
        "ltv_ratio": Decimal("3.000000"), "signings": 3, "plan_revenue": 30_000,
    }  # fmt: skip


@pytest.mark.parametrize("kpi", list(NO_SOURCE))
def test_without_source_events_the_kpi_is_no_data(kpi):
    from dataclasses import replace

    facts = replace(BUSY, **NO_SOURCE[kpi])
    value = d.DEFINITIONS[kpi].compute(facts)
    assert value is None
    assert d.DEFINITIONS[kpi].target_met(value) is None  # never "meets target" without data
    assert d.kpi_format(kpi, value) == "no data"


def test_a_month_with_complaints_resolved_but_none_opened_is_a_real_zero():
    from dataclasses import replace

    assert d.complaint_rate(replace(BUSY, complaints=0, complaints_resolved=2)) == Decimal("0.000000")


def test_no_data_is_translated():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert d.kpi_format("complaint_rate", None) == "无数据"
