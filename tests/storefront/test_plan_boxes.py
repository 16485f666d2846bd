"""Plan boxes: one per paid period (also when the payment is reported twice), held while the
customer is overdue and released on recovery, nothing more after termination; and parcels
sent while the warehouse is down arrive exactly once when it returns."""
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.debits import period_collect
from pawpact.core.clock import FixedClock
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.outbox.services import shop_event_publish
from pawpact.storefront.enums import FulfilmentStatus, HoldReason
from pawpact.storefront.models import Fulfilment, ShippingAddress
from pawpact.storefront.services.catalog import plan_box_set
from pawpact.storefront.services.plan_boxes import boxes_release
from pawpact.storefront.tasks import fulfilment_push_due_task
from pawpact.warehouses.models import WarehouseSku
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create

BOX = [("FC-0002", 1), ("L-0001", 1), ("S-0001", 2)]


def _contract_with_box():
    contract = contract_create()
    plan_box_set(plan_version=contract.plan_version, items=BOX)
    ShippingAddress.objects.create(customer=contract.customer, name="Wang", phone="13800138000", province="上海市",
                                   city="上海市", address="世纪大道 100 号")  # fmt: skip
    return contract


def _paid_payload(contract, number):
    return {"contract_uuid": str(contract.uuid), "period_number": number, "amount_minor": 39_900, "currency": "CNY",
            "attempt_number": 1, "outcome": "succeeded", "at": "2026-01-31T04:00:00+00:00"}  # fmt: skip


def test_a_paid_period_ships_its_box_once_at_the_warehouse(shop, linked, sandbox_warehouse, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        contract = _contract_with_box()
        period = DebitPeriod.objects.get(contract=contract, number=1)
        with django_capture_on_commit_callbacks(execute=True):
            period_collect(period=period, clock=FixedClock(SIGNING_DAY_NOON))
        with django_capture_on_commit_callbacks(execute=True):
            shop_event_publish(kind="debit.paid", payload=_paid_payload(contract, 1))  # reported again
        boxes = list(Fulfilment.objects.filter(contract=contract))
        assert [(b.period_number, b.status) for b in boxes] == [(1, FulfilmentStatus.SENT)]
        assert sorted((line.sku, line.quantity) for line in boxes[0].lines.all()) == sorted(BOX)
        cost = sum(WarehouseSku.objects.get(warehouse=linked, sku=s).cost_minor * q for s, q in BOX)
        assert boxes[0].cost_minor == cost
    at_warehouse = [o for o in sandbox_warehouse.orders() if o["order_id"] == str(boxes[0].uuid)]
    assert [(o["kind"], o["times_received"]) for o in at_warehouse] == [("plan_box", 1)]


def test_overdue_customer_box_is_held_then_released_on_recovery(shop, linked, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        contract = _contract_with_box()
        Customer.objects.filter(pk=contract.customer_id).update(standing=CustomerStanding.OVERDUE)
        shop_event_publish(kind="debit.paid", payload=_paid_payload(contract, 2))
        box = Fulfilment.objects.get(contract=contract)
        assert (box.status, box.hold_reason) == (FulfilmentStatus.HELD, HoldReason.OVERDUE)
        assert boxes_release() == 0
        Customer.objects.filter(pk=contract.customer_id).update(standing=CustomerStanding.CURRENT)
        with django_capture_on_commit_callbacks(execute=True):
            assert boxes_release() == 1
        box.refresh_from_db()
        assert box.status == FulfilmentStatus.SENT


def test_terminated_contract_ships_nothing_more(shop, linked):
    with schema_context(shop.schema_name):
        contract = _contract_with_box()
        Customer.objects.filter(pk=contract.customer_id).update(standing=CustomerStanding.OVERDUE)
        shop_event_publish(kind="debit.paid", payload=_paid_payload(contract, 3))
        contract.status = ContractStatus.TERMINATED_EARLY
        contract.save(update_fields=["status"])
        shop_event_publish(kind="contract.terminated", payload={
            "contract_uuid": str(contract.uuid), "reason": "early_termination", "paid_periods": 3, "periods": 12,
            "remaining_minor": 0, "cancelled_minor": 0, "penalty_minor": 0, "refund_minor": 0, "currency": "CNY", "at": "2026-03-01T00:00:00+00:00"})
        shop_event_publish(kind="debit.paid", payload=_paid_payload(contract, 4))
        assert [(b.period_number, b.status) for b in Fulfilment.objects.filter(contract=contract)] == [
            (3, FulfilmentStatus.CANCELLED)
        ]


def test_warehouse_down_then_back_every_parcel_arrives_exactly_once(shop, linked, sandbox_warehouse,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    sandbox_warehouse.faults(down=True)
    with schema_context(shop.schema_name):
        contracts = [_contract_with_box() for _ in range(3)]
        with django_capture_on_commit_callbacks(execute=True):
            for contract in contracts:
                shop_event_publish(kind="debit.paid", payload=_paid_payload(contract, 1))
        boxes = list(Fulfilment.objects.filter(contract__in=contracts))
        assert {b.status for b in boxes} == {FulfilmentStatus.WAITING}
        assert all(b.push_attempts == 1 and "503" in b.last_error for b in boxes)
        # Ten minutes of retries against a warehouse that is down: nothing arrives, nothing is lost.
        Fulfilment.objects.filter(pk__in=[b.pk for b in boxes]).update(next_push_at=timezone.now() - timedelta(seconds=1))
        fulfilment_push_due_task()
        assert set(Fulfilment.objects.filter(contract__in=contracts).values_list("status", flat=True)) == {"waiting"}
        sandbox_warehouse.faults(down=False)
        Fulfilment.objects.filter(pk__in=[b.pk for b in boxes]).update(next_push_at=timezone.now() - timedelta(seconds=1))
        assert fulfilment_push_due_task() == 3
        assert fulfilment_push_due_task() == 0
        assert set(Fulfilment.objects.filter(contract__in=contracts).values_list("status", flat=True)) == {"sent"}
    connection.set_schema_to_public()
    received = {o["order_id"]: o["times_received"] for o in sandbox_warehouse.orders()}
    assert [received[str(b.uuid)] for b in boxes] == [1, 1, 1]
