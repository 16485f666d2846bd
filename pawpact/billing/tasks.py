"""Thin Celery entry points of billing."""
from django_tenants.utils import schema_context

from pawpact.billing.selectors import shop_ready_list
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.core.tasks import public_task, tenant_task

# A shop's run that has not started within this long is dropped: the next tick sends another.
SHOP_RUN_EXPIRES_SECONDS = 600


@public_task("billing.debit_run_dispatch")
def debit_run_dispatch_task() -> int:
    """Fan out one debit run per ready shop, each sent from (and so run in) its shop's schema."""
    shops = list(shop_ready_list().values_list("schema_name", flat=True))
    for schema_name in shops:
        with schema_context(schema_name):
            debit_run_shop_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
    return len(shops)


# The hard time limit bounds how long an attempt can be in flight: IN_FLIGHT_LEASE
# (15 minutes) is longer, so a run never resumes an attempt a live worker still owns.
@tenant_task("billing.debit_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def debit_run_shop_task() -> None:
    debit_run_shop()
