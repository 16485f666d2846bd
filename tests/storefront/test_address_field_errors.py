"""A missing street address is reported under the street address input (not under the one
before it), and nothing is ordered."""
import re

from django_tenants.utils import schema_context

from pawpact.storefront.models import Order
from pawpact.storefront.services.catalog import product_save
from tests.storefront.conftest import SHOWN_ADDRESS
from tests.storefront.test_pages import _customer_user, _login

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_error_sits_under_its_own_field(shop, linked):
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
    buyer = _login(shop, _customer_user(shop))
    buyer.post(f"/shop/products/{product.pk}/add/", {"quantity": "1"})
    cart = buyer.get("/shop/cart/", **EN).content.decode()
    key = re.search(r'name="checkout_key" value="(\w+)"', cart).group(1)
    refused = buyer.post("/shop/checkout/", {**SHOWN_ADDRESS, "address": "", "payment_method": "sandbox-new",
                                             "checkout_key": key}, **EN)  # fmt: skip
    page = refused.content.decode()
    assert refused.status_code == 400
    street = re.search(r'<p data-field-error="address">(.*?)</p>', page, re.S).group(1)
    assert street.index('name="address"') < street.index("This field is required.")
    district = re.search(r'<p>(<label for="id_district">.*?)</p>', page, re.S).group(1)
    assert "This field is required." not in district
    with schema_context(shop.schema_name):
        assert Order.objects.count() == 0
