"""Thin Celery entry points of the platform: the outbox drain, settlement, Stripe events,
the shops' subscriptions, risk, KPI facts, benchmarks and monthly reports.

Times are in pawpact.config.schedules (the platform's time zone). Risk, KPI and report
tasks run in the public schema (they read and write public tables only) and fan out
one task per ready shop with ids and ISO dates as arguments.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import OperationalError, connection
from django_tenants.utils import schema_context

from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.core.months import month_add, month_start
from pawpact.core.tasks import public_task, tenant_task
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.funding.alipay_transfers import alipay_transfers_reconcile
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.statement_matching import statement_import_run
from pawpact.platform.funding.transfer_reconciliation import stripe_transfers_reconcile
from pawpact.platform.kpis.benchmarks import kpi_benchmarks_compute
from pawpact.platform.kpis.facts import kpi_facts_compute
from pawpact.platform.kpis.reports import (
    monthly_report_email,
    monthly_report_generate,
    portfolio_report_generate,
)
from pawpact.platform.models import ShopSubscription
from pawpact.platform.partner_clearing import partner_clearing_close
from pawpact.platform.risk.services import risk_daily_compute
from pawpact.platform.saas.selectors import subscription_due_ids
from pawpact.platform.saas.services import subscription_bill
from pawpact.platform.stripe_events import stripe_event_process, stripe_events_waiting
from pawpact.tenants.fan_out import fan_out_shop_ids, fan_out_to_ready_shops
from pawpact.tenants.models import Shop

# A shop's drain that has not started within this long is dropped: the next tick sends another.
DRAIN_EXPIRES_SECONDS = 240
# For tasks whose step is safe to repeat: acknowledged only once done, and retried with
# backoff while the database is briefly unreachable.
RETRY_ON_DATABASE_ERRORS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@public_task("platform.outbox_drain_dispatch")
def outbox_drain_dispatch_task() -> int:
    return fan_out_to_ready_shops(outbox_drain_shop_task, expires=DRAIN_EXPIRES_SECONDS)


@tenant_task(
    "platform.outbox_drain_shop",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=300,
    soft_time_limit=270,
)
def outbox_drain_shop_task() -> None:
    shop = Shop.objects.filter(schema_name=connection.schema_name).first()
    if shop is None:
        return
    outbox_drain_and_apply(shop=shop)


@public_task("platform.statement_import_run", time_limit=900, soft_time_limit=870, **RETRY_ON_DATABASE_ERRORS)
def statement_import_run_task(import_id: int) -> None:
    statement_import_run(import_id=import_id)


@public_task(
    "platform.settlement_run",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def settlement_run_task() -> dict:
    report = settlement_run()
    return {
        "payouts_created": report.payouts_created,
        "payouts_paid": report.payouts_paid,
    }


@public_task("platform.stripe_transfers_reconcile", time_limit=900, soft_time_limit=870)
def stripe_transfers_reconcile_task(day: str | None = None) -> dict | None:
    """Yesterday's Stripe transfers against our payouts; nothing when Stripe is not set up
    (the sandbox payout rail), or could not be asked (logged; the next day's run goes on)."""
    if not settings.STRIPE_SECRET_KEY:
        return None
    try:
        result = stripe_transfers_reconcile(day=date.fromisoformat(day) if day else None)
    except DomainError:
        return None
    return {"lines": result.lines, "matched": result.matched, "mismatches": result.mismatches}


@public_task("platform.alipay_transfers_reconcile", time_limit=900, soft_time_limit=870)
def alipay_transfers_reconcile_task(day: str | None = None) -> dict | None:
    """Yesterday's Alipay transfers against our payouts; nothing when the platform has no
    Alipay app, or Alipay could not be asked (logged; the next day's run goes on)."""
    if not (getattr(settings, "PAWPACT_PLATFORM_ALIPAY", None) or {}).get("app_id"):
        return None
    try:
        result = alipay_transfers_reconcile(day=date.fromisoformat(day) if day else None)
    except DomainError:
        return None
    return {"lines": result.lines, "matched": result.matched, "mismatches": result.mismatches,
            "unattributed": result.unattributed}  # fmt: skip


@public_task("platform.partner_clearing_close", acks_late=True, reject_on_worker_lost=True, time_limit=1800,
             soft_time_limit=1740)  # fmt: skip
def partner_clearing_close_task() -> dict:
    report = partner_clearing_close()
    return {"shops_charged": report.shops_charged, "payments_paid": report.payments_paid}


@tenant_task("platform.stripe_webhook_process", **RETRY_ON_DATABASE_ERRORS)
def stripe_webhook_process_task(event_id: int) -> None:
    """Apply one stored Stripe event, in the schema of the shop it belongs to."""
    stripe_event_process(event_id=event_id)


def stripe_event_enqueue(*, event_id: int, shop_schema: str) -> None:
    # tenant-schemas-celery sends the current schema with the task: the shop's.
    with schema_context(shop_schema):
        stripe_webhook_process_task.delay(event_id)


@public_task("platform.stripe_webhook_requeue")
def stripe_webhook_requeue_task() -> int:
    """Periodic: enqueue again stored events that were never processed. Processing is
    idempotent, so a double enqueue is harmless."""
    waiting = stripe_events_waiting()
    for event_id, shop_schema in waiting:
        stripe_event_enqueue(event_id=event_id, shop_schema=shop_schema)
    return len(waiting)


# --- the shops' subscriptions to Pawpact ---


@public_task("platform.saas_billing_run", acks_late=True)
def saas_billing_run_task() -> None:
    """Daily: fan out one billing task per subscription with something due today."""
    for subscription_id in subscription_due_ids(today=default_clock.today()):
        saas_subscription_bill_task.delay(subscription_id)


@public_task("platform.saas_subscription_bill", **RETRY_ON_DATABASE_ERRORS)
def saas_subscription_bill_task(subscription_id: int) -> None:
    """One shop's billing step: grace, invoice, charge (safe to repeat the same day)."""
    if not ShopSubscription.objects.filter(pk=subscription_id).exists():
        return
    subscription_bill(subscription_id=subscription_id)


# --- risk, KPI facts, benchmarks, monthly reports ---


# A shop's task not started within this long is dropped: the next run sends another.
SHOP_TASK_EXPIRES_SECONDS = 3600
SHOP_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": 300,
    "soft_time_limit": 270,
}


def _yesterday() -> date:
    return default_clock.today() - timedelta(days=1)


def _shop(shop_id: int) -> Shop | None:
    return Shop.objects.filter(pk=shop_id).first()


@public_task("platform.risk_daily_dispatch")
def risk_daily_dispatch_task(day: str | None = None) -> int:
    """Compute every ready shop's risk for `day` (default: yesterday)."""
    return fan_out_shop_ids(risk_daily_shop_task, day or _yesterday().isoformat(), expires=SHOP_TASK_EXPIRES_SECONDS)


@public_task("platform.risk_daily_shop", **SHOP_TASK_OPTIONS)
def risk_daily_shop_task(shop_id: int, day: str) -> None:
    shop = _shop(shop_id)
    if shop is not None:
        risk_daily_compute(shop=shop, day=date.fromisoformat(day))


@public_task("platform.kpi_facts_dispatch")
def kpi_facts_dispatch_task(month: str | None = None) -> int:
    """Fill every ready shop's facts for `month` (default: the month containing yesterday,
    so the 1st closes the month before)."""
    return fan_out_shop_ids(
        kpi_facts_shop_task, month or month_start(_yesterday()).isoformat(), expires=SHOP_TASK_EXPIRES_SECONDS
    )


@public_task("platform.kpi_facts_shop", **SHOP_TASK_OPTIONS)
def kpi_facts_shop_task(shop_id: int, month: str) -> None:
    shop = _shop(shop_id)
    if shop is not None:
        kpi_facts_compute(shop=shop, month=date.fromisoformat(month))


@public_task(
    "platform.kpi_benchmarks",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
)
def kpi_benchmarks_task(month: str | None = None) -> int:
    """Quartiles across shops for `month` (default: the month containing yesterday)."""
    return len(kpi_benchmarks_compute(month=date.fromisoformat(month) if month else month_start(_yesterday())))


@public_task("platform.monthly_reports")
def monthly_reports_task(month: str | None = None) -> int:
    """The past month's reports: the portfolio's here, each shop's (made and emailed) in its own task."""
    month = month or month_add(month_start(default_clock.today()), -1).isoformat()
    portfolio_report_generate(month=date.fromisoformat(month))
    return fan_out_shop_ids(monthly_report_shop_task, month, expires=SHOP_TASK_EXPIRES_SECONDS)


@public_task("platform.monthly_report_shop", **SHOP_TASK_OPTIONS)
def monthly_report_shop_task(shop_id: int, month: str) -> None:
    shop = _shop(shop_id)
    if shop is not None:
        report = monthly_report_generate(shop=shop, month=date.fromisoformat(month))
        monthly_report_email(report_id=report.pk)
