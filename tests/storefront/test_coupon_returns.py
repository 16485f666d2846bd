"""A coupon used on a shop order comes back to its holder, exactly once, when the order is
cancelled before shipping or fully refunded: the use is kept, marked returned, and the
coupon is usable again; a partial refund gives nothing back."""
import uuid

from django_tenants.utils import schema_context

from pawpact.billing.models import PaymentMethod
from pawpact.loyalty.coupon_models import Coupon, CouponStatus, CouponUse
from pawpact.loyalty.coupon_selectors import customer_coupons
from pawpact.loyalty.coupons import coupon_issue, coupon_release_order
from pawpact.storefront.enums import OrderStatus
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.services.refunds import order_cancel, order_refund
from tests.loyalty.coupon_helpers import amount_off
from tests.storefront.conftest import customer_with_address

SKU = "FC-0001"


def _order_with_coupon(key: str = "k-1"):
    product = product_save(sku=SKU, price_minor=12_900)
    customer = customer_with_address(phone=f"138{uuid.uuid4().int % 10**8:08d}")
    method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:12]}")
    coupon = coupon_issue(template=amount_off(2_000), customer=customer, source_key=f"gift-{key}")
    cart_set(customer=customer, product=product, quantity=2)
    order = checkout(customer=customer, payment_method=method, checkout_key=key, coupon_code=coupon.code)
    assert (order.discount_minor, order.total_minor) == (2_000, 23_800)
    return order, coupon, customer, method, product


def test_a_cancelled_order_gives_its_coupon_back_once_and_it_is_usable_again(shop, linked):
    with schema_context(shop.schema_name):
        order, coupon, customer, method, product = _order_with_coupon()
        assert Coupon.objects.get(pk=coupon.pk).status == CouponStatus.USED
        order = order_cancel(order=order)
        assert (order.status, order.refunded_minor) == (OrderStatus.CANCELLED, 23_800)
        coupon.refresh_from_db()
        first = CouponUse.objects.get(coupon=coupon)
        assert coupon.status == CouponStatus.ISSUED and first.returned_at is not None
        assert (first.reference, first.amount_minor) == (str(order.uuid), 2_000)
        assert coupon_release_order(order_uuid=str(order.uuid)) is None  # a second call gives nothing more
        assert CouponUse.objects.filter(coupon=coupon, returned_at__isnull=True).count() == 0
        assert [c.use for c in customer_coupons(customer=customer)] == [None]
        # Usable again: the next order takes it off and records a second use.
        cart_set(customer=customer, product=product, quantity=1)
        again = checkout(customer=customer, payment_method=method, checkout_key="k-2", coupon_code=coupon.code)
        assert (again.discount_minor, again.total_minor) == (2_000, 10_900)
        uses = list(CouponUse.objects.filter(coupon=coupon).order_by("id").values_list("reference", "returned_at"))
        assert [reference for reference, _at in uses] == [str(order.uuid), str(again.uuid)]
        assert uses[1][1] is None and Coupon.objects.get(pk=coupon.pk).status == CouponStatus.USED


def test_only_a_full_refund_gives_the_coupon_back(shop, linked):
    with schema_context(shop.schema_name):
        order, coupon, _customer, _method, _product = _order_with_coupon()
        order_refund(order=order, amount_minor=10_000, reason="damaged")
        assert Coupon.objects.get(pk=coupon.pk).status == CouponStatus.USED
        assert CouponUse.objects.get(coupon=coupon).returned_at is None
        order_refund(order=order, amount_minor=13_800, reason="returned")
        order.refresh_from_db()
        assert (order.status, order.refunded_minor) == (OrderStatus.REFUNDED, 23_800)
        assert Coupon.objects.get(pk=coupon.pk).status == CouponStatus.ISSUED
        assert CouponUse.objects.filter(coupon=coupon, returned_at__isnull=False).count() == 1
        assert CouponUse.objects.count() == 1


def test_an_order_without_a_coupon_or_of_another_shop_releases_nothing(shop, other_shop, linked):
    with schema_context(shop.schema_name):
        order, coupon, *_rest = _order_with_coupon()
    with schema_context(other_shop.schema_name):
        assert coupon_release_order(order_uuid=str(order.uuid)) is None
    with schema_context(shop.schema_name):
        assert Coupon.objects.get(pk=coupon.pk).status == CouponStatus.USED
        assert CouponUse.objects.get(coupon=coupon).returned_at is None
