"""A free-service coupon covers a booking the plan does not; cancelled in time, it comes back."""
import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.care.enums import BenefitSource, PaymentStatus
from pawpact.care.services.bookings import booking_cancel, booking_create
from pawpact.loyalty.coupon_models import Coupon, CouponUse
from pawpact.loyalty.coupons import coupon_issue
from tests.care.factories import NOW, at, contract_with_grooming, customer_with_pet, groomer, grooming
from tests.care.test_bookings import MONDAY, WEDNESDAY
from tests.loyalty.coupon_helpers import free_service


@pytest.fixture(autouse=True)
def alpha(shop):
    with time_machine.travel(NOW, tick=False), schema_context(shop.schema_name):
        yield


def test_the_plan_first_then_the_coupon_then_paid():
    service = grooming(price_minor=8_800)
    resource = groomer(service)
    contract = contract_with_grooming(quantity=1)
    customer, pet = contract.customer, contract.pet
    coupon = coupon_issue(template=free_service("grooming"), customer=customer, source_key="gift")
    by_plan = booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(MONDAY, 10))
    by_coupon = booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(MONDAY, 14))
    paid = booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(MONDAY, 16))
    assert [b.benefit_source for b in (by_plan, by_coupon, paid)] == [
        BenefitSource.PLAN_ENTITLEMENT, BenefitSource.COUPON, BenefitSource.PAID]
    assert (by_coupon.amount_due_minor, by_coupon.payment_status, by_coupon.benefit_reference) == (
        0, PaymentStatus.NOT_DUE, f"coupon:{coupon.code}")
    use = CouponUse.objects.get()
    assert (use.kind, use.amount_minor) == ("booking", 8_800)
    booking_cancel(booking=by_coupon)
    coupon.refresh_from_db()
    assert coupon.status == "issued" and CouponUse.objects.count() == 0


def test_a_coupon_for_another_service_does_not_cover_it():
    service = grooming(price_minor=8_800)
    resource = groomer(service)
    customer, pet = customer_with_pet()
    coupon_issue(template=free_service("deworming"), customer=customer, source_key="gift")
    booking = booking_create(customer=customer, pet=pet, service=service, resource=resource, starts_at=at(WEDNESDAY, 10))
    assert booking.benefit_source == BenefitSource.PAID
    assert Coupon.objects.get().status == "issued"
