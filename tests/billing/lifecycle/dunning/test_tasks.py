"""The daily dunning job: a public dispatcher fans out per ready shop; run twice, one effect."""
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing import tasks as dunning_tasks
from pawpact.billing.models import CallTask, DebitAttempt
from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.config.schedules import beat_schedule
from pawpact.customers.enums import CustomerStanding
from pawpact.messaging.models import Message
from tests.billing.lifecycle.dunning.helpers import DUE, day, debit_run_on, late_contract, on, state


def test_the_dispatcher_runs_every_shop_in_its_own_schema_and_a_second_run_changes_nothing(shop, other_shop):
    contracts = {}
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            contracts[each.schema_name] = late_contract("tok_insufficient_funds")
            debit_run_on(DUE)
    for when in (DUE, day(11), day(13)):
        with on(when):
            assert dunning_tasks.dunning_run_dispatch_task.delay().get() == 2
            dunning_tasks.dunning_run_dispatch_task.delay()
    assert connection.schema_name == "public"
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            contract = contracts[each.schema_name]
            # Its own period, retried once on day 1 and once on day 3, in its own schema.
            assert DebitAttempt.objects.filter(period__number=2).count() == 3
            assert state(contract)[3] == CustomerStanding.OVERDUE
            assert Message.objects.filter(topic="dunning_sms").count() == 1
            assert CallTask.objects.count() == 1


def test_the_dunning_job_is_scheduled_with_an_expiry():
    entry = beat_schedule()["billing-dunning-run"]
    assert entry["task"] == "billing.dunning_run_dispatch"
    assert entry["options"]["expires"] == 1800
    assert dunning_tasks.dunning_run_shop_task.name == "billing.dunning_run_shop"
    assert dunning_tasks.dunning_run_shop_task.acks_late is True
