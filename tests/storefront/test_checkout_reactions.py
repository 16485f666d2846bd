"""A paid order's points leave the buyer's request: the checkout commits the payment and the
order.paid fact, and loyalty's reaction (a point per yuan, the tier's spend) runs right after
the commit in a task, or in the minute's sweep if that task was lost; once either way."""
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.loyalty.models import Membership, PointsEntry
from pawpact.outbox.models import OutboxEvent
from pawpact.outbox.services import shop_reactions_run
from pawpact.outbox.tasks import webhooks_shop_task
from pawpact.storefront.models import Order
from tests.storefront.test_shop_api import ADDRESS, FOOD, _buyer, _checkout, products  # noqa: F401


def _paid(shop, client, method_id, products, key):  # noqa: F811
    client.put("/api/v1/shop/address", ADDRESS, format="json")
    client.post("/api/v1/shop/cart/lines", {"product_id": products[FOOD], "quantity": 2}, format="json")
    answer = _checkout(client, method_id, key=key)
    assert answer.status_code == 201 and answer.json()["status"] == "paid", answer.content
    return answer.json()


def _points(shop, customer) -> tuple[list, int]:
    with schema_context(shop.schema_name):
        entries = list(PointsEntry.objects.filter(customer=customer).values_list("source_key", "points"))
        member = Membership.objects.filter(customer=customer).first()
        return entries, member.points_balance if member else 0


def test_points_follow_the_commit_once(shop, products, django_capture_on_commit_callbacks):  # noqa: F811
    cache.clear()
    client, customer, method_id = _buyer(shop, "pts@alpha.test", "13800138061")
    with django_capture_on_commit_callbacks() as callbacks:
        _paid(shop, client, method_id, products, "pts-1")
        assert _points(shop, customer) == ([], 0)  # nothing in the buyer's request
    with schema_context(shop.schema_name):
        order = Order.objects.get(customer=customer)
        event = OutboxEvent.objects.get(kind="order.paid", aggregate_uuid=order.uuid)
        assert event.reactions_pending and order.total_minor == 25_800
    for callback in callbacks:  # the commit: the task, eager in tests
        callback()
    assert _points(shop, customer) == ([(f"order.paid:{order.uuid}", 258)], 258)
    with schema_context(shop.schema_name):
        event.refresh_from_db()
        assert not event.reactions_pending
        assert shop_reactions_run() == 0  # nothing left: a second run awards nothing
    assert _points(shop, customer)[1] == 258


def test_a_lost_task_is_made_up_by_the_sweep_and_never_twice(shop, other_shop, products):  # noqa: F811
    cache.clear()
    client, customer, method_id = _buyer(shop, "lost@alpha.test", "13800138062")
    _paid(shop, client, method_id, products, "lost-1")  # no commit in a test: the prompt task never ran
    assert _points(shop, customer) == ([], 0)
    with schema_context(other_shop.schema_name):
        assert shop_reactions_run() == 0  # another shop's sweep sees nothing of this one
    assert _points(shop, customer) == ([], 0)
    with schema_context(shop.schema_name):
        webhooks_shop_task()  # the minute's sweep in this shop
        webhooks_shop_task()
        assert OutboxEvent.objects.filter(reactions_pending=True).count() == 0
    entries, balance = _points(shop, customer)
    assert len(entries) == 1 and balance == 258


def test_a_replayed_fact_awards_nothing_more(shop, products):  # noqa: F811
    cache.clear()
    client, customer, method_id = _buyer(shop, "replay@alpha.test", "13800138063")
    _paid(shop, client, method_id, products, "replay-1")
    with schema_context(shop.schema_name):
        shop_reactions_run()
        OutboxEvent.objects.filter(kind="order.paid").update(reactions_pending=True)  # as after a crash before the mark
        assert shop_reactions_run() == 1
    assert _points(shop, customer)[1] == 258
