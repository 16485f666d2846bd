"""Thin Celery entry points of the outbox: outbound webhooks and the shop's deferred reactions,
each minute in every ready shop; the reactions also right after the fact's commit."""
from pawpact.core.tasks import public_task, tenant_task
from pawpact.outbox import services
from pawpact.outbox.webhooks import webhook_deliver_due, webhook_deliveries_enqueue
from pawpact.tenants.fan_out import fan_out_to_ready_shops


@public_task("outbox.webhooks_dispatch")
def webhooks_dispatch_task() -> int:
    return fan_out_to_ready_shops(webhooks_shop_task, expires=55)


@tenant_task("outbox.webhooks_shop", acks_late=True, time_limit=300, soft_time_limit=270)
def webhooks_shop_task() -> int:
    services.shop_reactions_run()  # any whose prompt task was lost
    webhook_deliveries_enqueue()
    return webhook_deliver_due()


@tenant_task("outbox.shop_reactions", acks_late=True, time_limit=120, soft_time_limit=100)
def shop_reactions_task() -> int:
    return services.shop_reactions_run()
