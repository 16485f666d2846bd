"""Facts published in a batch reach a `payloads` subscriber in one call; a failing batch is
offered again one fact at a time, so only the bad fact loses its reaction."""

import pytest
from django.test import override_settings

from pawpact.customers.models import Customer
from pawpact.loyalty.models import PointsEntry
from pawpact.outbox.services import shop_events_publish
from tests.billing.lifecycle.termination.helpers import adopt
from tests.loyalty import batch_subscribers
from tests.loyalty.conftest import NOW, member

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def _order(customer, n: int) -> dict:
    return {"order_uuid": f"3f1d7c1e-0000-4000-8000-{n:012d}", "customer_uuid": str(customer.uuid),
            "amount_minor": 1_000, "currency": "CNY", "at": NOW.isoformat()}  # fmt: skip


@override_settings(PAWPACT_SHOP_EVENT_SUBSCRIBERS={"order.paid": ["tests.loyalty.batch_subscribers.tag_all_or_fail"]})
def test_a_failing_batch_is_retried_one_fact_at_a_time():
    batch_subscribers.calls.clear()
    good, refused, other = member(), member(name="Refused"), member()

    shop_events_publish(kind="order.paid", payloads=[_order(good, 1), _order(refused, 2), _order(other, 3)])

    assert batch_subscribers.calls == [3, 1, 1, 1]  # the batch, then each fact
    names = dict(Customer.objects.filter(pk__in=[good.pk, refused.pk, other.pk]).values_list("pk", "name"))
    assert names == {good.pk: "tagged", refused.pk: refused.name, other.pk: "tagged"}


@override_settings(PAWPACT_SHOP_EVENT_SUBSCRIBERS={"order.paid": ["tests.loyalty.batch_subscribers.tag_all_or_fail"]})
def test_a_good_batch_is_one_call():
    batch_subscribers.calls.clear()
    first, second = member(), member()

    shop_events_publish(kind="order.paid", payloads=[_order(first, 4), _order(second, 5)])

    assert batch_subscribers.calls == [2]
    assert set(Customer.objects.filter(pk__in=[first.pk, second.pk]).values_list("name", flat=True)) == {"tagged"}


def test_paid_debits_in_one_batch_award_each_once_and_skip_other_shops_contracts():
    first, second = adopt(), adopt()  # period 1 of each paid at activation
    payloads = [
        {"contract_uuid": str(contract.uuid), "period_number": 2, "amount_minor": 39_900, "currency": "CNY",
         "attempt_number": 1, "outcome": "succeeded", "at": NOW.isoformat()}
        for contract in (first, second)
    ] + [{"contract_uuid": "00000000-0000-4000-8000-000000000000", "period_number": 2, "amount_minor": 39_900,
          "currency": "CNY", "attempt_number": 1, "outcome": "succeeded", "at": NOW.isoformat()}]  # fmt: skip

    shop_events_publish(kind="debit.paid", payloads=payloads)
    shop_events_publish(kind="debit.paid", payloads=payloads)  # the batch delivered twice

    for contract in (first, second):
        keys = PointsEntry.objects.filter(customer=contract.customer).order_by("source_key")
        assert list(keys.values_list("source_key", "points")) == [
            (f"debit.paid:{contract.uuid}:1", 100), (f"debit.paid:{contract.uuid}:2", 100)
        ]
    assert PointsEntry.objects.count() == 4
