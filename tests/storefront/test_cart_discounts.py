"""The cart shows what the checkout charges: the member's discount computed by the same hook,
and the customer's own usable coupons to pick, each with the amount then paid; the picked
coupon is the one the order uses. Nobody else's coupon is offered."""
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.loyalty.coupon_models import Coupon, CouponStatus
from pawpact.loyalty.coupons import coupon_issue
from pawpact.loyalty.models import TierBasis
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.storefront.models import Order, ShippingAddress
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set
from pawpact.storefront.shop_views import NEW_SANDBOX_CARD
from tests.loyalty.coupon_helpers import amount_off, percent_off
from tests.loyalty.helpers import order
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.storefront.conftest import SHOWN_ADDRESS

pytestmark = pytest.mark.django_db


def test_the_cart_shows_the_member_discount_and_the_picked_coupon_is_charged(shop, linked):
    customer, other = customer_with_login(shop), customer_with_login(shop)
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        points_events_apply(events=[order(customer, at=timezone.now() - timedelta(days=3), amount_minor=600_000)])  # Gold: 5%
        ShippingAddress.objects.create(customer=customer, name="Wang", phone="13800138000", province="上海市",
                                       city="上海市", district="浦东新区", address="世纪大道 100 号")  # fmt: skip
        cart_set(customer=customer, product=product_save(sku="FC-0001", price_minor=12_900), quantity=2)
        twenty = coupon_issue(template=amount_off(2_000), customer=customer, source_key="mine")
        coupon_issue(template=percent_off(50), customer=other, source_key="theirs")
    browser = browser_of(shop, customer)

    page = browser.get("/shop/cart/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "−¥12.90" in page and 'data-testid="cart-total">¥245.10<' in page
    assert "No coupon: pay ¥245.10" in page and f'value="{twenty.code}"' in page and "pay ¥225.10" in page
    assert page.count('name="coupon_pick"') == 2  # none, and this customer's one coupon

    done = browser.post("/shop/checkout/", {**SHOWN_ADDRESS, "payment_method": NEW_SANDBOX_CARD, "checkout_key": "k1",
                                            "coupon_pick": twenty.code})  # fmt: skip
    assert done.status_code == 302
    with schema_context(shop.schema_name):
        placed = Order.objects.get(customer=customer)
        assert (placed.subtotal_minor, placed.discount_minor, placed.total_minor) == (25_800, 3_290, 22_510)
        assert Coupon.objects.get(pk=twenty.pk).status == CouponStatus.USED


def test_without_coupons_the_pay_button_carries_the_discounted_total(shop, linked):
    customer = customer_with_login(shop)
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        points_events_apply(events=[order(customer, at=timezone.now() - timedelta(days=3), amount_minor=600_000)])
        cart_set(customer=customer, product=product_save(sku="FC-0001", price_minor=12_900), quantity=1)
    page = browser_of(shop, customer).get("/shop/cart/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pay ¥122.55" in page and "Pay ¥129.00" not in page
