"""A member's checkout with a coupon: the member's rates (tier, paid plan, the shop's member
day) are read once, the coupon's use records its own share as priced, and a coupon that no
longer applies when the order is placed still refuses it with nothing written."""
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.billing.models import PaymentMethod
from pawpact.loyalty import coupons
from pawpact.loyalty.benefits import member_benefits_save
from pawpact.loyalty.coupon_models import Coupon, CouponUse
from pawpact.loyalty.coupons import coupon_issue
from pawpact.loyalty.errors import CouponUsed
from pawpact.loyalty.pricing import PricingInputs, pricing_inputs
from pawpact.storefront.models import Order
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.warehouses.models import StockReservation
from tests.loyalty.coupon_helpers import percent_off
from tests.storefront.conftest import customer_with_address

SKU = "T-0003"
MEMBER_DAY = datetime(2026, 3, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def on_the_member_day(shop, linked):
    with time_machine.travel(MEMBER_DAY, tick=False), schema_context(shop.schema_name):
        member_benefits_save(member_day=12, discount_percent=10, points_multiplier=1, multi_pet_half_price=False)
        yield


def _buyer():
    customer = customer_with_address(phone="13800138077")
    method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:8]}")
    return customer, method


def test_the_member_rates_are_read_in_one_statement():
    customer, _method = _buyer()
    with CaptureQueriesContext(connection) as queries:
        inputs = pricing_inputs(customer=customer)
    assert len(queries.captured_queries) == 1
    assert inputs == PricingInputs(member_day=12, member_day_percent=10)


def test_a_coupon_checkout_prices_once_and_the_coupon_records_its_own_share():
    product = product_save(sku=SKU, price_minor=9_900)
    customer, method = _buyer()
    coupon = coupon_issue(template=percent_off(20), customer=customer, source_key="rates")
    cart_set(customer=customer, product=product, quantity=3)
    with CaptureQueriesContext(connection) as queries:
        order = checkout(customer=customer, payment_method=method, checkout_key="rates-1", coupon_code=coupon.code)
    # 29,700: the member day's 10% is 2,970; the coupon's 20% of the 26,730 left is 5,346.
    assert (order.subtotal_minor, order.discount_minor, order.total_minor, order.status) == (29_700, 8_316, 21_384, "paid")
    use = CouponUse.objects.get(coupon=coupon)
    assert (use.kind, use.reference, use.amount_minor) == ("order", str(order.uuid), 5_346)
    rates_read = [q["sql"] for q in queries.captured_queries if '"loyalty_memberbenefits"' in q["sql"]]
    assert len(rates_read) == 1, "\n".join(rates_read)


def test_a_coupon_used_meanwhile_refuses_the_order_and_writes_nothing(monkeypatch):
    product = product_save(sku=SKU, price_minor=9_900)
    customer, method = _buyer()
    coupon = coupon_issue(template=percent_off(20), customer=customer, source_key="rates-race")
    cart_set(customer=customer, product=product, quantity=1)
    reservations = StockReservation.objects.count()
    original = coupons.coupon_get

    def used_meanwhile(*, customer, code, lock=False):
        # Priced while still issued; another checkout uses it before this order takes its lock.
        if lock:
            Coupon.objects.filter(code=code).update(status="used")
        return original(customer=customer, code=code, lock=lock)

    monkeypatch.setattr(coupons, "coupon_get", used_meanwhile)
    with pytest.raises(CouponUsed):
        checkout(customer=customer, payment_method=method, checkout_key="rates-2", coupon_code=coupon.code)
    assert not Order.objects.filter(customer=customer).exists()
    assert CouponUse.objects.filter(coupon=coupon).count() == 0
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"
    assert StockReservation.objects.count() == reservations
