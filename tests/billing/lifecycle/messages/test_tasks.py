"""The daily dispatchers: one run per ready shop in its own schema, twice → one side effect."""
from datetime import date

import time_machine
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing import tasks
from pawpact.billing.models import DebitPeriod, RenewalOffer
from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.config.schedules import beat_schedule
from pawpact.loyalty import tasks as loyalty_tasks
from pawpact.messaging.models import Message
from tests.billing.lifecycle.messages.helpers import active_contract, at_beijing


def test_the_reminder_dispatcher_runs_each_shop_in_its_own_schema_once(shop, other_shop, monkeypatch):
    contracts = {}
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            contracts[each.schema_name] = active_contract()
    ran_in: list[str] = []
    real_run = tasks.reminder_run_shop

    def recording_run(**kwargs):
        ran_in.append(connection.schema_name)
        return real_run(**kwargs)

    monkeypatch.setattr(tasks, "reminder_run_shop", recording_run)
    with time_machine.travel(at_beijing(date(2026, 3, 7), 9), tick=False):
        assert tasks.reminder_run_dispatch_task.delay().get() == 2
        tasks.reminder_run_dispatch_task.delay()  # a second tick: nothing new

    assert ran_in == ["shop_alpha", "shop_beta", "shop_alpha", "shop_beta"]
    assert connection.schema_name == "public"
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            contract = contracts[each.schema_name]
            # Each shop reminded only its own customer, once.
            assert list(Message.objects.values_list("customer_id", flat=True)) == [contract.customer_id] * 2
            assert list(DebitPeriod.objects.filter(reminded_at__isnull=False).values_list("contract_id", "number")) == [
                (contract.pk, 3)
            ]
            assert {each.name in body for body in Message.objects.values_list("body", flat=True)} == {True}


def test_the_renewal_dispatcher_sends_offers_once(shop, other_shop):
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            active_contract()
    with time_machine.travel(at_beijing(date(2026, 11, 10), 8), tick=False):
        assert tasks.renewal_run_dispatch_task.delay().get() == 2
        tasks.renewal_run_dispatch_task.delay()
    for each in (shop, other_shop):
        with schema_context(each.schema_name):
            assert RenewalOffer.objects.count() == 1
            assert Message.objects.filter(topic="renewal_offer").count() == 2


def test_the_jobs_are_scheduled_with_an_expiry():
    schedule = beat_schedule()
    assert schedule["billing-reminder-run"]["task"] == "billing.reminder_run_dispatch"
    assert schedule["billing-renewal-run"]["task"] == "billing.renewal_run_dispatch"
    assert schedule["loyalty-winback-credit-run"]["task"] == "loyalty.winback_credit_run_dispatch"
    assert schedule["billing-reminder-run"]["options"]["expires"] == 3600
    assert schedule["billing-renewal-run"]["options"]["expires"] == 3600
    assert schedule["loyalty-winback-credit-run"]["options"]["expires"] == 3600
    assert tasks.reminder_run_shop_task.name == "billing.reminder_run_shop"
    assert tasks.renewal_run_shop_task.name == "billing.renewal_run_shop"
    assert loyalty_tasks.winback_credit_run_shop_task.name == "loyalty.winback_credit_run_shop"
