"""The staff order page lists every refund: the stored value given back as well as the
rail's, each with its amount, reason, note and the staff member who made it; a refused
refund lists nothing, and another shop's staff never see the order."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.models import OrderRefund, OrderStoredValueReturn
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from tests.conftest import host_of
from tests.storefront.conftest import as_manager
from tests.storefront.test_stored_value_checkout import SKU, _balance, _customer_with_balance


def _staff(shop, email, name) -> Client:
    """A manager of `shop` (refunds are for managers and owners)."""
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(as_manager(User.objects.create_user(email, "pw-long-enough-1", name=name, is_staff=True)))
    return client


@pytest.mark.parametrize(("language", "texts", "summary"), [
    ("en", ["¥20.00", "Goodwill", "scratched tin", "Lina Staff", "Returned to stored value"], "(to stored value: ¥20.00)"),
    ("zh-hans", ["¥20.00", "scratched tin", "Lina Staff", "已退回储值"], "（退回储值：¥20.00）"),
])  # fmt: skip
def test_a_refund_to_stored_value_is_listed_with_amount_reason_and_who(shop, other_shop, linked, language, texts,
                                                                        summary):  # fmt: skip
    with schema_context(shop.schema_name):
        customer, _method = _customer_with_balance(20_000)
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
        order = checkout(customer=customer, payment_method=None, checkout_key="sv-list", use_stored_value=True)
    staff = _staff(shop, "lina@alpha.test", "Lina Staff")
    url = f"/manage/orders/{order.uuid}/"
    refused = staff.post(url, {"action": "refund", "amount": "200", "reason": "goodwill"}, follow=True)
    assert "At most ¥129.00 can still be refunded" in refused.content.decode()
    with schema_context(shop.schema_name):
        assert OrderStoredValueReturn.objects.count() == 0 and _balance(customer) == 20_000 - 12_900
    staff.post(url, {"action": "refund", "amount": "20", "reason": "goodwill", "note": "scratched tin"})
    page = staff.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    refunds = page[page.index('<div class="card"><h2>'):]
    for text in texts:
        assert text in refunds
    assert "No refunds." not in page and "暂无退款" not in page and summary in page
    with schema_context(shop.schema_name):
        row = OrderStoredValueReturn.objects.get()
        assert (row.amount_minor, row.reason, row.refunded_by.email) == (2_000, "goodwill", "lina@alpha.test")
        assert OrderRefund.objects.count() == 0 and _balance(customer) == 20_000 - 12_900 + 2_000
    assert _staff(other_shop, "staff@beta.test", "Beta").get(url).status_code == 404


def test_the_customers_order_page_shows_a_stored_value_refund_once(shop, linked):
    from pawpact.storefront.services.refunds import order_refund
    from tests.storefront.test_my_plans import browser_of

    with schema_context(shop.schema_name):
        customer, _method = _customer_with_balance(20_000)
        customer.user = User.objects.create_user("buyer@alpha.test", "pw-long-enough-1")
        customer.save(update_fields=["user"])
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=1)
        order = checkout(customer=customer, payment_method=None, checkout_key="sv-once", use_stored_value=True)
        order_refund(order=order, amount_minor=2_000, reason="goodwill")
    page = browser_of(shop, customer).get(f"/shop/orders/{order.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.count("¥20.00") == 1 and "已退回您的储值" in page
