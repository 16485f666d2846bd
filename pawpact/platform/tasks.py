"""Thin Celery entry points of the platform's funding: the outbox drain and the settlement run."""
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing.selectors import shop_ready_list
from pawpact.core.tasks import public_task, tenant_task
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.funding.settlement import settlement_run
from pawpact.tenants.models import Shop

# A shop's drain that has not started within this long is dropped: the next tick sends another.
DRAIN_EXPIRES_SECONDS = 240


@public_task("platform.outbox_drain_dispatch")
def outbox_drain_dispatch_task() -> int:
    """Fan out one drain per ready shop, each sent from (and so run in) its shop's schema."""
    schemas = list(shop_ready_list().values_list("schema_name", flat=True))
    for schema_name in schemas:
        with schema_context(schema_name):
            outbox_drain_shop_task.apply_async(expires=DRAIN_EXPIRES_SECONDS)
    return len(schemas)


@tenant_task("platform.outbox_drain_shop", acks_late=True, reject_on_worker_lost=True, time_limit=300, soft_time_limit=270)
def outbox_drain_shop_task() -> None:
    shop = Shop.objects.filter(schema_name=connection.schema_name).first()
    if shop is None:
        return
    outbox_drain_and_apply(shop=shop)


@public_task("platform.settlement_run", acks_late=True, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1740)
def settlement_run_task() -> dict:
    report = settlement_run()
    return {"payouts_created": report.payouts_created, "payouts_paid": report.payouts_paid}
