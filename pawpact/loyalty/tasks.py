"""Thin Celery entry points of loyalty: a public dispatcher fans out one run per ready shop."""
from pawpact.core.tasks import public_task, tenant_task
from pawpact.loyalty.services import winback_credit_run
from pawpact.tenants.fan_out import fan_out_to_ready_shops


@public_task("loyalty.winback_credit_run_dispatch")
def winback_credit_run_dispatch_task() -> int:
    return fan_out_to_ready_shops(winback_credit_run_shop_task, expires=3600)


@tenant_task(
    "loyalty.winback_credit_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540
)
def winback_credit_run_shop_task() -> None:
    winback_credit_run()
