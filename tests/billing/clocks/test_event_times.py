"""Under a test clock every fact of its contracts is recorded at the clock's time, whichever
path records it (the debit run's batch insert, or a single event: retries, reminders,
failures), so a webhook's `created` sorts with the `data` it carries."""
import json
from datetime import datetime, time, timedelta

from django_tenants.utils import schema_context

from pawpact.billing.services import test_clocks as clocks
from pawpact.core.events import CATALOGUE
from pawpact.outbox.models import OutboxEvent, WebhookDelivery
from pawpact.outbox.webhooks import webhook_body, webhook_deliveries_enqueue, webhook_endpoint_create
from tests.billing.debits.factories import SIGNED_ON, contract_create, plan_version_create
from tests.billing.lifecycle.dunning.helpers import BEIJING

NOON = datetime.combine(SIGNED_ON, time(12, 0), tzinfo=BEIJING)


def test_every_event_of_a_clocks_contract_is_at_the_clocks_time(shop):
    with schema_context(shop.schema_name):
        webhook_endpoint_create(url="http://127.0.0.1:4000/hooks", events=sorted(CATALOGUE))
        contract = contract_create(token="tok_insufficient_funds", plan_version=plan_version_create(debit_day=15))
        clock = clocks.test_clock_create(name="QA", frozen_time=NOON)
        clocks.test_clock_attach(test_clock=clock, contract=contract)
        before = set(OutboxEvent.objects.values_list("id", flat=True))
        clock = clocks.test_clock_advance(test_clock=clock, months=2)
        events = list(OutboxEvent.objects.exclude(id__in=before).order_by("id"))
        kinds = {event.kind for event in events}
        # Besides the debit run's own batch: facts recorded one at a time (overdue, messages...).
        assert "debit.failed" in kinds and kinds - {"debit.paid", "debit.failed"}, kinds
        late = [(e.kind, e.created_at) for e in events if not NOON <= e.created_at <= clock.frozen_time]
        assert late == []
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        webhook_deliveries_enqueue()
        delivery = WebhookDelivery.objects.filter(event__in=events).order_by("id").last()
        created = json.loads(webhook_body(delivery))["created"]
        assert created == int(delivery.event.created_at.timestamp())
        assert created < int((NOON + timedelta(days=70)).timestamp())
