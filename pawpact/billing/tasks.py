"""Thin Celery entry points of billing: public dispatchers fan out one run per ready shop.

Times are in pawpact.config.schedules. The hard time limit of the debit run bounds how
long an attempt can be in flight: IN_FLIGHT_LEASE (15 minutes) is longer, so a run
never resumes an attempt a live worker still owns.
"""
from dataclasses import asdict
from datetime import date, timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.billing.services.completion import completion_run_shop
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.dunning import dunning_run_shop
from pawpact.billing.services.pre_debit_notices import pre_debit_notice_run
from pawpact.billing.services.queued_activation import queued_activation_run
from pawpact.billing.services.reconciliation import reconciliation_run_shop, stripe_statements_by_shop
from pawpact.billing.services.reminders import reminder_run_shop
from pawpact.billing.services.renewal import renewal_run_shop
from pawpact.billing.services.shop_closure import shop_closure_run
from pawpact.core.clock import default_clock
from pawpact.core.tasks import public_task, tenant_task
from pawpact.payments.base import StatementLine
from pawpact.tenants.enums import ShopEventKind, ShopState
from pawpact.tenants.fan_out import fan_out_to_ready_shops
from pawpact.tenants.models import Shop
from pawpact.tenants.selectors import shop_ready_list

SHOP_RUN = {"acks_late": True, "reject_on_worker_lost": True, "time_limit": 600, "soft_time_limit": 540}
# Contracts a closure had to skip (a debit in flight) are tried again this much later, this often.
CLOSURE_RETRY_SECONDS = 900
CLOSURE_MAX_ROUNDS = 8
# The daily sweep sends the closure again to shops deactivated this recently.
CLOSURE_SWEEP_WINDOW = timedelta(days=30)


@public_task("billing.debit_run_dispatch")
def debit_run_dispatch_task() -> int:
    return fan_out_to_ready_shops(debit_run_shop_task, expires=600)


@tenant_task("billing.debit_run_shop", **SHOP_RUN)
def debit_run_shop_task() -> None:
    debit_run_shop()


@public_task("billing.pre_debit_notice_dispatch")
def pre_debit_notice_dispatch_task() -> int:
    return fan_out_to_ready_shops(pre_debit_notice_shop_task, expires=3000)


@tenant_task("billing.pre_debit_notice_shop", **SHOP_RUN)
def pre_debit_notice_shop_task() -> None:
    pre_debit_notice_run()


@public_task("billing.queued_activation_dispatch")
def queued_activation_dispatch_task() -> int:
    return fan_out_to_ready_shops(queued_activation_shop_task, expires=840)


@tenant_task("billing.queued_activation_shop", **SHOP_RUN)
def queued_activation_shop_task() -> None:
    queued_activation_run()


@public_task("billing.reconciliation_dispatch")
def reconciliation_dispatch_task() -> int:
    """Yesterday's statements for every ready shop; Stripe's, one list for the platform's
    account, is fetched here once and each shop is sent its own lines."""
    day = default_clock.today() - timedelta(days=1)
    stripe_by_shop = stripe_statements_by_shop(day=day)
    schemas = list(shop_ready_list().values_list("schema_name", flat=True))
    for schema_name in schemas:
        lines = None if stripe_by_shop is None else [asdict(line) for line in stripe_by_shop.get(schema_name, [])]
        with schema_context(schema_name):
            reconciliation_shop_task.apply_async(kwargs={"day": day.isoformat(), "stripe_lines": lines}, expires=3600)
    return len(schemas)


@tenant_task("billing.reconciliation_shop", **SHOP_RUN)
def reconciliation_shop_task(day: str | None = None, stripe_lines: list[dict] | None = None) -> None:
    lines = None if stripe_lines is None else [StatementLine(**line) for line in stripe_lines]
    reconciliation_run_shop(day=date.fromisoformat(day) if day else None, stripe_lines=lines)


@public_task("billing.dunning_run_dispatch")
def dunning_run_dispatch_task() -> int:
    return fan_out_to_ready_shops(dunning_run_shop_task, expires=1800)


@tenant_task("billing.dunning_run_shop", **SHOP_RUN)
def dunning_run_shop_task() -> None:
    dunning_run_shop()


@public_task("billing.reminder_run_dispatch")
def reminder_run_dispatch_task() -> int:
    # A missed day is caught up by the reminder window, so a stale task is simply dropped.
    return fan_out_to_ready_shops(reminder_run_shop_task, expires=3600)


@tenant_task("billing.reminder_run_shop", **SHOP_RUN)
def reminder_run_shop_task() -> None:
    reminder_run_shop()


@public_task("billing.renewal_run_dispatch")
def renewal_run_dispatch_task() -> int:
    """Rewards, renewal contracts and offers per ready shop."""
    return fan_out_to_ready_shops(renewal_run_shop_task, expires=3600)


@tenant_task("billing.renewal_run_shop", **SHOP_RUN)
def renewal_run_shop_task() -> None:
    renewal_run_shop()


@public_task("billing.completion_run_dispatch")
def completion_run_dispatch_task() -> int:
    return fan_out_to_ready_shops(completion_run_shop_task, expires=3600)


@tenant_task("billing.completion_run_shop", **SHOP_RUN)
def completion_run_shop_task() -> int:
    return len(completion_run_shop().completed)


@tenant_task("billing.shop_closure", **SHOP_RUN)
def shop_closure_task(round_number: int = 1) -> int:
    """Stop every future debit of the (deactivated) shop this runs in; returns contracts ended."""
    report = shop_closure_run()
    if not report.is_done and round_number < CLOSURE_MAX_ROUNDS:
        shop_closure_task.apply_async(args=[round_number + 1], countdown=CLOSURE_RETRY_SECONDS)
    return len(report.terminated) + len(report.withdrawn)


def shop_closure_enqueue(*, schema_name: str) -> None:
    """Send the closure task from the closed shop's schema (so it runs there). Call after commit."""
    with schema_context(schema_name):
        shop_closure_task.apply_async()


@public_task("billing.shop_closure_sweep")
def shop_closure_sweep_task() -> int:
    """Daily backstop: send the closure task again to every shop deactivated in the last
    30 days (a task lost at deactivation, contracts skipped); it ends nothing twice."""
    since = timezone.now() - CLOSURE_SWEEP_WINDOW
    shops = list(
        Shop.objects.filter(
            state=ShopState.DEACTIVATED, events__kind=ShopEventKind.DEACTIVATED, events__at__gte=since
        )
        .distinct()
        .order_by("id")
        .values_list("schema_name", flat=True)
    )
    for schema_name in shops:
        with schema_context(schema_name):
            shop_closure_task.apply_async(expires=3600)
    return len(shops)
