"""The points mall: one unit of work for stock, points and the cash part; a failed
payment gives both back; concurrent redemptions never overdraw."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context

from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import Journal
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.core.errors import DomainError, ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty import mall
from pawpact.loyalty.errors import InsufficientPoints, OutOfStock
from pawpact.billing.errors import InvalidPaymentMethod
from pawpact.payments.errors import PaymentDeclined
from pawpact.loyalty.models import Membership, PointsEntry
from pawpact.loyalty.points import EarnEvent, points_events_apply
from pawpact.loyalty.wallet_models import MallItem, Redemption, RedemptionStatus
from pawpact.payments.base import ChargeResult
from tests.loyalty.conftest import NOW, member


def give_points(customer, points, key=None):
    points_events_apply(events=[EarnEvent(source_key=key or f"test:{uuid.uuid4()}", source_event="test",
                                          customer_id=customer.pk, base_points=points, occurred_at=NOW)])  # fmt: skip


def points_of(customer) -> int:
    return Membership.objects.get(customer=customer).points_balance


def state(item, customer):
    item.refresh_from_db()
    return (item.stock, points_of(customer), Redemption.objects.count(), PointsEntry.objects.count(), Journal.objects.count())


@pytest.mark.usefixtures("in_shop", "traveller")
class TestRedeem:
    def test_points_only_deducts_points_and_one_from_stock(self):
        customer = member()
        give_points(customer, 1_500)
        item = mall.item_save(name="Cat toy", points=1_200, cash_minor=0, stock=3)
        redemption = mall.redeem(customer=customer, item=item, request_key="r1")
        assert (redemption.status, redemption.points, redemption.cash_minor) == (RedemptionStatus.REDEEMED, 1_200, 0)
        item.refresh_from_db()
        assert item.stock == 2 and points_of(customer) == 300
        assert PointsEntry.objects.get(source_key=f"redeem:mall:{redemption.uuid}").points == -1_200
        again = mall.redeem(customer=customer, item=item, request_key="r1")
        assert again.pk == redemption.pk and points_of(customer) == 300 and item.stock == 2

    def test_points_and_cash_charges_the_cash_part_and_books_it(self):
        customer = member()
        give_points(customer, 500)
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        item = mall.item_save(name="Grooming kit", points=500, cash_minor=2_990, stock=1)
        redemption = mall.redeem(customer=customer, item=item, request_key="r", payment_method=method)
        assert redemption.status == RedemptionStatus.REDEEMED and points_of(customer) == 0
        journal = Journal.objects.get(idempotency_key=f"mall.paid:{redemption.uuid}")
        assert sorted((line.account, line.amount_minor) for line in journal.lines.all()) == [
            ("goods_revenue", -2_990), ("store_cash", 2_990)]
        mall.redemption_finish(redemption_id=redemption.pk, result=ChargeResult(succeeded=False, outcome="hard_decline"))
        item.refresh_from_db()
        assert item.stock == 0 and points_of(customer) == 0 and Journal.objects.filter(kind="mall.paid").count() == 1
        assert unbalanced_journals() == []

    def test_a_declined_cash_part_gives_points_and_stock_back_once(self):
        customer = member()
        give_points(customer, 800)
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_insufficient_funds")
        item = mall.item_save(name="Bed", points=600, cash_minor=9_900, stock=1)
        with pytest.raises(PaymentDeclined):
            mall.redeem(customer=customer, item=item, request_key="r", payment_method=method)
        redemption = Redemption.objects.get()
        assert redemption.status == RedemptionStatus.FAILED
        item.refresh_from_db()
        assert item.stock == 1 and points_of(customer) == 800
        mall.redemption_finish(redemption_id=redemption.pk, result=ChargeResult(succeeded=False, outcome="hard_decline"))
        mall.redemption_finish(redemption_id=redemption.pk, result=ChargeResult(succeeded=True, outcome="succeeded"))
        item.refresh_from_db()
        assert item.stock == 1 and points_of(customer) == 800 and not Journal.objects.filter(kind="mall.paid").exists()
        # The returned points are spendable again.
        assert mall.redeem(customer=customer, item=mall.item_save(name="Toy", points=800, cash_minor=0, stock=1),
                           request_key="r2").status == RedemptionStatus.REDEEMED  # fmt: skip
        assert points_of(customer) == 0

    def test_beyond_the_balance_sold_out_or_without_a_method_nothing_is_written(self):
        customer = member()
        give_points(customer, 999)
        item = mall.item_save(name="Toy", points=1_000, cash_minor=0, stock=5)
        before = state(item, customer)
        with pytest.raises(InsufficientPoints) as refused:
            mall.redeem(customer=customer, item=item, request_key="a")
        assert refused.value.http_status == 422 and state(item, customer) == before
        empty = mall.item_save(name="Gone", points=1, cash_minor=0, stock=0)
        with pytest.raises(OutOfStock):
            mall.redeem(customer=customer, item=empty, request_key="b")
        cash = mall.item_save(name="Cash", points=1, cash_minor=100, stock=1)
        with pytest.raises(InvalidPaymentMethod):
            mall.redeem(customer=customer, item=cash, request_key="c")
        assert state(item, customer) == before

    @pytest.mark.parametrize("fields", [{"points": 0}, {"points": -5}, {"cash_minor": -1}, {"stock": -1}, {"name": " "}])
    def test_an_item_with_bad_values_is_refused(self, fields):
        values = {"name": "Toy", "points": 10, "cash_minor": 0, "stock": 1} | fields
        with pytest.raises(ValidationFailed):
            mall.item_save(**values)
        assert not MallItem.objects.exists()


def _in_thread(function):
    result = {}

    def run():
        try:
            result["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result.get("value")


@pytest.mark.django_db
def test_concurrent_redemptions_never_overdraw_points_or_stock(shop):
    """Twenty redemptions at once by two members: stock 5 and 3,000 points each (1,000 a
    redemption): exactly five succeed, nobody's points below zero."""
    schema = shop.schema_name

    def setup():
        with schema_context(schema):
            people = [member(name="Racer"), member(name="Racer")]
            for person in people:
                give_points(person, 3_000)
            item = MallItem.objects.create(name="Race toy", points=1_000, stock=5)
            return [p.pk for p in people], item.pk

    people, item_id = _in_thread(setup)
    barrier = threading.Barrier(20)

    def attempt(n):
        with schema_context(schema):
            customer = Customer.objects.get(pk=people[n % 2])
            barrier.wait()
            try:
                mall.redeem(customer=customer, item=MallItem(pk=item_id), request_key=f"race-{n}")
                return True
            except DomainError:
                return False
            finally:
                connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(attempt, range(20)))

        def counts():
            with schema_context(schema):
                return (MallItem.objects.get(pk=item_id).stock, Redemption.objects.filter(item_id=item_id).count(),
                        sorted(Membership.objects.filter(customer_id__in=people).values_list("points_balance", flat=True)))  # fmt: skip

        stock, redeemed, balances = _in_thread(counts)
        assert outcomes.count(True) == 5 == redeemed and stock == 0
        assert sum(balances) == 6_000 - 5_000 and min(balances) >= 0
    finally:
        def cleanup():
            with schema_context(schema):
                Redemption.objects.filter(item_id=item_id).delete()
                MallItem.objects.filter(pk=item_id).delete()
                PointsEntry.objects.filter(customer_id__in=people).delete()
                Membership.objects.filter(customer_id__in=people).delete()
                Customer.objects.filter(pk__in=people).delete()

        _in_thread(cleanup)
        connection.set_schema_to_public()
