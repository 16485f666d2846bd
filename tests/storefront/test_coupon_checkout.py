"""A coupon at the storefront's checkout: the exact discount, used in the order's own
transaction; two checkouts racing on one coupon: one order, the other refused, nothing
written for it; another shop cannot see the coupon."""
import threading
import uuid
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from pawpact.billing.models import PaymentMethod
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import Coupon, CouponTemplate, CouponUse
from pawpact.loyalty.coupons import coupon_issue, coupon_redeem_order
from pawpact.loyalty.errors import CouponUsed
from pawpact.storefront.models import Order
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from tests.loyalty.coupon_helpers import amount_off
from tests.storefront.conftest import customer_with_address

SKU = "T-0001"  # not the SKU whose stock test_orders counts from the start


def test_checkout_takes_the_coupon_off_and_marks_it_used_once(shop, other_shop, linked, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        product = product_save(sku=SKU, price_minor=9_900)
        customer = customer_with_address()
        method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:8]}")
        coupon = coupon_issue(template=amount_off(2_000, min_spend_minor=20_000), customer=customer, source_key="gift")
        cart_set(customer=customer, product=product, quantity=3)
        with django_capture_on_commit_callbacks(execute=True):
            order = checkout(customer=customer, payment_method=method, checkout_key="k-1", coupon_code=coupon.code)
        assert (order.subtotal_minor, order.discount_minor, order.total_minor, order.status) == (29_700, 2_000, 27_700, "paid")
        use = CouponUse.objects.get(coupon=coupon)
        assert (use.kind, use.reference, use.amount_minor) == ("order", str(order.uuid), 2_000)
        cart_set(customer=customer, product=product, quantity=2)
        with pytest.raises(CouponUsed):
            checkout(customer=customer, payment_method=method, checkout_key="k-2", coupon_code=coupon.code)
        assert Order.objects.count() == 1 and CouponUse.objects.count() == 1
        code = coupon.code
    with schema_context(other_shop.schema_name):  # the same code means nothing in another shop
        stranger = Customer.objects.create(name="Li", phone="13900000001", birth_date=date(1990, 1, 1))
        with pytest.raises(NotFound):
            coupon_redeem_order(customer=stranger, coupon_code=code, order_uuid="x", amount_minor=1)
        assert not Coupon.objects.filter(code=code).exists()


def _in_thread(schema, function):
    result = {}

    def run():
        try:
            with schema_context(schema):
                result["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result.get("value")


@pytest.mark.django_db
def test_two_checkouts_racing_on_one_coupon_one_wins(shop):
    schema = shop.schema_name
    tag = uuid.uuid4().hex[:8]

    def setup():
        customer = Customer.objects.create(name="Racer", phone=f"1390{tag[:7]}", birth_date=date(1990, 1, 1))
        template = CouponTemplate.objects.create(name=f"race {tag}", kind="amount_off", amount_off_minor=1_000,
                                                 valid_days=30)  # fmt: skip
        return customer.pk, coupon_issue(template=template, customer=customer, source_key=f"race:{tag}").code

    customer_id, code = _in_thread(schema, setup)
    barrier = threading.Barrier(2)
    outcomes = []

    def checkout_like(n):
        # An order's transaction: the order row, then the coupon marked used; the loser rolls back.
        try:
            with schema_context(schema), transaction.atomic():
                customer = Customer.objects.get(pk=customer_id)
                barrier.wait()
                coupon_redeem_order(customer=customer, coupon_code=code, order_uuid=f"order-{n}", amount_minor=1_000)
            outcomes.append("ok")
        except CouponUsed:
            outcomes.append("used")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=checkout_like, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(outcomes) == ["ok", "used"]
        assert _in_thread(schema, lambda: (CouponUse.objects.filter(coupon__code=code).count(),
                                           Coupon.objects.get(code=code).status)) == (1, "used")  # fmt: skip
    finally:
        def cleanup():
            coupon = Coupon.objects.get(code=code)
            CouponUse.objects.filter(coupon=coupon).delete()
            template = coupon.template
            coupon.delete()
            template.delete()
            Customer.objects.filter(pk=customer_id).delete()

        _in_thread(schema, cleanup)
        connection.set_schema_to_public()
