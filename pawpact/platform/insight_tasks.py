"""Thin Celery entry points of risk, KPI facts, benchmarks and monthly reports.

All run in the public schema (they read and write public tables only). Dispatchers fan
out one task per ready shop; arguments are ids and ISO dates. The schedule is in
pawpact.config.schedules (times in the platform's time zone):
00:20 risk of yesterday · 00:40 KPI facts of the month containing yesterday ·
02:00 benchmarks of that month · 03:00 on the 1st–4th monthly reports of the past month.
"""
from datetime import date, timedelta

from pawpact.core.clock import default_clock
from pawpact.core.tasks import public_task
from pawpact.platform.kpis.benchmarks import kpi_benchmarks_compute
from pawpact.platform.kpis.facts import kpi_facts_compute, month_add, month_start
from pawpact.platform.kpis.reports import monthly_report_email, monthly_report_generate, portfolio_report_generate
from pawpact.platform.risk.selectors import risk_shop_list
from pawpact.platform.risk.services import risk_daily_compute
from pawpact.tenants.models import Shop

# A shop's task not started within this long is dropped: the next run sends another.
SHOP_TASK_EXPIRES_SECONDS = 3600
SHOP_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "time_limit": 300, "soft_time_limit": 270}


def _yesterday() -> date:
    return default_clock.today() - timedelta(days=1)


def _fan_out(task, *extra: str) -> int:
    shop_ids = list(risk_shop_list().values_list("id", flat=True))
    for shop_id in shop_ids:
        task.apply_async(args=(shop_id, *extra), expires=SHOP_TASK_EXPIRES_SECONDS)
    return len(shop_ids)


def _shop(shop_id: int) -> Shop | None:
    return Shop.objects.filter(pk=shop_id).first()


@public_task("platform.risk_daily_dispatch")
def risk_daily_dispatch_task(day: str | None = None) -> int:
    """Compute every ready shop's risk for `day` (default: yesterday)."""
    return _fan_out(risk_daily_shop_task, day or _yesterday().isoformat())


@public_task("platform.risk_daily_shop", **SHOP_TASK_OPTIONS)
def risk_daily_shop_task(shop_id: int, day: str) -> None:
    shop = _shop(shop_id)
    if shop is not None:
        risk_daily_compute(shop=shop, day=date.fromisoformat(day))


@public_task("platform.kpi_facts_dispatch")
def kpi_facts_dispatch_task(month: str | None = None) -> int:
    """Fill every ready shop's facts for `month` (default: the month containing yesterday,
    so the 1st closes the month before)."""
    return _fan_out(kpi_facts_shop_task, month or month_start(_yesterday()).isoformat())


@public_task("platform.kpi_facts_shop", **SHOP_TASK_OPTIONS)
def kpi_facts_shop_task(shop_id: int, month: str) -> None:
    shop = _shop(shop_id)
    if shop is not None:
        kpi_facts_compute(shop=shop, month=date.fromisoformat(month))


@public_task("platform.kpi_benchmarks", acks_late=True, reject_on_worker_lost=True, time_limit=600)
def kpi_benchmarks_task(month: str | None = None) -> int:
    """Quartiles across shops for `month` (default: the month containing yesterday)."""
    return len(kpi_benchmarks_compute(month=date.fromisoformat(month) if month else month_start(_yesterday())))


@public_task("platform.monthly_reports")
def monthly_reports_task(month: str | None = None) -> int:
    """The past month's reports: the portfolio's here, each shop's (made and emailed) in its own task."""
    month = month or month_add(month_start(default_clock.today()), -1).isoformat()
    portfolio_report_generate(month=date.fromisoformat(month))
    return _fan_out(monthly_report_shop_task, month)


@public_task("platform.monthly_report_shop", **SHOP_TASK_OPTIONS)
def monthly_report_shop_task(shop_id: int, month: str) -> None:
    shop = _shop(shop_id)
    if shop is not None:
        report = monthly_report_generate(shop=shop, month=date.fromisoformat(month))
        monthly_report_email(report_id=report.pk)
