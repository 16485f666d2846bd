"""Thin task entry points of the shops' subscription to Pawpact.

Discovered by pawpact/config/celery.py:
    app.autodiscover_tasks(["pawpact.platform"], related_name="saas_tasks")
"""
from django.db import OperationalError

from pawpact.core.clock import default_clock
from pawpact.core.tasks import public_task
from pawpact.platform.models import ShopSubscription
from pawpact.platform.saas.selectors import subscription_due_ids
from pawpact.platform.saas.services import subscription_bill


@public_task("platform.saas_billing_run", acks_late=True)
def saas_billing_run_task() -> None:
    """Daily: fan out one billing task per subscription with something due today."""
    for subscription_id in subscription_due_ids(today=default_clock.today()):
        saas_subscription_bill_task.delay(subscription_id)


@public_task(
    "platform.saas_subscription_bill",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def saas_subscription_bill_task(subscription_id: int) -> None:
    """One shop's billing step: grace, invoice, charge (safe to repeat the same day)."""
    if not ShopSubscription.objects.filter(pk=subscription_id).exists():
        return
    subscription_bill(subscription_id=subscription_id)
