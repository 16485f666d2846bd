"""Thin Celery entry points of care: public dispatchers fan out one run per ready shop."""
from pawpact.care.services.care_reminders import care_reminders_send
from pawpact.care.services.complaints import complaint_breaches_record
from pawpact.care.services.reminders import booking_reminders_send
from pawpact.core.tasks import public_task, tenant_task
from pawpact.tenants.fan_out import fan_out_to_ready_shops

SHOP_RUN = {"acks_late": True, "reject_on_worker_lost": True, "time_limit": 600, "soft_time_limit": 540}


@public_task("care.reminder_run_dispatch")
def reminder_run_dispatch_task() -> int:
    # Hourly: an appointment is reminded in the run that first sees it within 24 hours.
    return fan_out_to_ready_shops(reminder_run_shop_task, expires=3000)


@tenant_task("care.reminder_run_shop", **SHOP_RUN)
def reminder_run_shop_task() -> int:
    return booking_reminders_send()


@public_task("care.complaint_clock_dispatch")
def complaint_clock_dispatch_task() -> int:
    return fan_out_to_ready_shops(complaint_clock_shop_task, expires=800)


@tenant_task("care.complaint_clock_shop", **SHOP_RUN)
def complaint_clock_shop_task() -> int:
    return len(complaint_breaches_record())


@public_task("care.care_reminder_dispatch")
def care_reminder_dispatch_task() -> int:
    # Daily: vaccine, deworming, birthday and anniversary reminders of the shop's day.
    return fan_out_to_ready_shops(care_reminder_shop_task, expires=3000)


@tenant_task("care.care_reminder_shop", **SHOP_RUN)
def care_reminder_shop_task() -> int:
    run = care_reminders_send()
    return run.sent
