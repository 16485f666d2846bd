"""Thin Celery entry points of the outbox: outbound webhooks, each minute in every ready shop."""
from pawpact.core.tasks import public_task, tenant_task
from pawpact.outbox.webhooks import webhook_deliver_due, webhook_deliveries_enqueue
from pawpact.tenants.fan_out import fan_out_to_ready_shops


@public_task("outbox.webhooks_dispatch")
def webhooks_dispatch_task() -> int:
    return fan_out_to_ready_shops(webhooks_shop_task, expires=55)


@tenant_task("outbox.webhooks_shop", acks_late=True, time_limit=300, soft_time_limit=270)
def webhooks_shop_task() -> int:
    webhook_deliveries_enqueue()
    return webhook_deliver_due()
