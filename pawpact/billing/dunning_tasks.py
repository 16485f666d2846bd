"""Thin Celery entry points of dunning: a public dispatcher fans out one run per ready shop.

Discovered by `app.autodiscover_tasks(["pawpact.billing"], related_name="dunning_tasks")`
in pawpact/config/celery.py.
"""
from django_tenants.utils import schema_context

from pawpact.billing.selectors import shop_ready_list
from pawpact.billing.services.dunning import dunning_run_shop
from pawpact.core.tasks import public_task, tenant_task

# A shop's run not started within this long is dropped: the next tick sends another.
SHOP_RUN_EXPIRES_SECONDS = 1800


@public_task("billing.dunning_run_dispatch")
def dunning_run_dispatch_task() -> int:
    """Send one dunning run per ready shop, each from (and so run in) its shop's schema."""
    shops = list(shop_ready_list().values_list("schema_name", flat=True))
    for schema_name in shops:
        with schema_context(schema_name):
            dunning_run_shop_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
    return len(shops)


@tenant_task(
    "billing.dunning_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540
)
def dunning_run_shop_task() -> None:
    dunning_run_shop()
