"""Thin Celery entry points of the lifecycle messages: public dispatchers fan out per ready shop."""
from django_tenants.utils import schema_context

from pawpact.billing.selectors import shop_ready_list
from pawpact.billing.services.reminders import reminder_run_shop
from pawpact.billing.services.renewal import renewal_run_shop
from pawpact.billing.services.segments import winback_credit_run
from pawpact.core.tasks import public_task, tenant_task

# A shop's run that has not started within this long is dropped: tomorrow's tick sends another
# (and the reminder window catches up on a missed day).
SHOP_RUN_EXPIRES_SECONDS = 3600


def _ready_schemas() -> list[str]:
    return list(shop_ready_list().values_list("schema_name", flat=True))


@public_task("messaging.reminder_run_dispatch")
def reminder_run_dispatch_task() -> int:
    """Fan out one reminder run per ready shop, each sent from (and so run in) its shop's schema."""
    schemas = _ready_schemas()
    for schema_name in schemas:
        with schema_context(schema_name):
            reminder_run_shop_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
    return len(schemas)


@tenant_task("messaging.reminder_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def reminder_run_shop_task() -> None:
    reminder_run_shop()


@public_task("messaging.renewal_run_dispatch")
def renewal_run_dispatch_task() -> int:
    """Fan out the renewal run (rewards, renewal contracts, offers) and win-back credits per ready shop."""
    schemas = _ready_schemas()
    for schema_name in schemas:
        with schema_context(schema_name):
            renewal_run_shop_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
            winback_credit_run_shop_task.apply_async(expires=SHOP_RUN_EXPIRES_SECONDS)
    return len(schemas)


@tenant_task("messaging.renewal_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def renewal_run_shop_task() -> None:
    renewal_run_shop()


@tenant_task("messaging.winback_credit_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def winback_credit_run_shop_task() -> None:
    winback_credit_run()
