"""Thin Celery entry points of messaging: a public dispatcher fans out one run per ready shop."""
from pawpact.core.tasks import public_task, tenant_task
from pawpact.messaging.in_flight import messages_retry_due, sms_receipts_poll
from pawpact.tenants.fan_out import fan_out_to_ready_shops


@public_task("messaging.in_flight_dispatch")
def in_flight_dispatch_task() -> int:
    return fan_out_to_ready_shops(in_flight_shop_task, expires=240)


@tenant_task("messaging.in_flight_shop", acks_late=True, time_limit=240, soft_time_limit=220)
def in_flight_shop_task() -> None:
    messages_retry_due()
    sms_receipts_poll()
