"""The staff's dispatch-SLA breach list: parcels still at the warehouse past their promise and
parcels dispatched late, not those on time; another shop's staff see none of them."""
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus
from pawpact.storefront.models import Fulfilment
from pawpact.storefront.selectors import sla_breach_list
from tests.conftest import host_of
from tests.storefront.conftest import customer_with_address


def _parcel(customer, *, status, due_in_hours, dispatched_after_hours=None) -> Fulfilment:
    now = timezone.now()
    due = now + timedelta(hours=due_in_hours)
    dispatched = due + timedelta(hours=dispatched_after_hours) if dispatched_after_hours is not None else None
    return Fulfilment.objects.create(kind=FulfilmentKind.ORDER, customer=customer, warehouse_id=1, status=status,
                                     due_at=due, dispatched_at=dispatched, created_at=now - timedelta(days=2))  # fmt: skip


def _staff_page(shop, email: str) -> str:
    with schema_context(shop.schema_name):
        staff = User.objects.create_user(email, "pw-long-enough-1", is_staff=True)
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(staff)
    return client.get("/manage/parcels/").content.decode()


def test_breaches_are_listed_for_staff_of_this_shop_only(shop, other_shop):
    with schema_context(shop.schema_name):
        late_customer = customer_with_address(name="Late Open", phone="13800138101")
        slow_customer = customer_with_address(name="Slow Dispatch", phone="13800138102")
        fine_customer = customer_with_address(name="On Time", phone="13800138103")
        late = _parcel(late_customer, status=FulfilmentStatus.SENT, due_in_hours=-3)
        slow = _parcel(slow_customer, status=FulfilmentStatus.DISPATCHED, due_in_hours=-30, dispatched_after_hours=5)
        _parcel(fine_customer, status=FulfilmentStatus.DISPATCHED, due_in_hours=-30, dispatched_after_hours=-2)
        _parcel(fine_customer, status=FulfilmentStatus.SENT, due_in_hours=20)
        assert [parcel.pk for parcel in sla_breach_list()] == [slow.pk, late.pk]  # the oldest promise first
    page = _staff_page(shop, "staff@alpha.test")
    breaches = page.split("<table>")[1]
    assert "Late Open" in breaches and "Slow Dispatch" in breaches and "On Time" not in breaches
    elsewhere = _staff_page(other_shop, "staff@beta.test")
    assert "Late Open" not in elsewhere and "Slow Dispatch" not in elsewhere
