"""Thin Celery entry points of contract exits: the daily completion run and shop closure.

Discovered by `app.autodiscover_tasks(["pawpact.billing"], related_name="termination_tasks")`.
"""
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.billing.selectors import shop_ready_list
from pawpact.billing.services.completion import completion_run_shop
from pawpact.billing.services.shop_closure import shop_closure_run
from pawpact.core.tasks import public_task, tenant_task
from pawpact.tenants.enums import ShopEventKind, ShopState
from pawpact.tenants.models import Shop

# A shop's run that has not started within this long is dropped: the next day sends another.
SHOP_RUN_EXPIRES_SECONDS = 3600
# Contracts a closure had to skip (a debit in flight) are tried again this much later, this often.
CLOSURE_RETRY_SECONDS = 900
CLOSURE_MAX_ROUNDS = 8
# The daily sweep sends the closure again to shops deactivated this recently.
CLOSURE_SWEEP_WINDOW = timedelta(days=30)


@public_task("billing.completion_run_dispatch")
def completion_run_dispatch_task() -> int:
    """Daily: one completion run per ready shop, each sent from (and so run in) its shop's schema."""
    shops = list(shop_ready_list().values_list("schema_name", flat=True))
    for schema_name in shops:
        with schema_context(schema_name):
            completion_run_shop_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
    return len(shops)


@tenant_task("billing.completion_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def completion_run_shop_task() -> int:
    return len(completion_run_shop().completed)


@tenant_task("billing.shop_closure", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
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
            shop_closure_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
    return len(shops)
