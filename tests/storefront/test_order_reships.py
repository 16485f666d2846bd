"""An order's reship names which items and how many (not the whole parcel), and the owner sees
it with the customer's photos on the order and on the parcels page; another shop sees nothing."""
import uuid

from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.models import PaymentMethod
from pawpact.storefront.enums import FulfilmentStatus
from pawpact.storefront.models import Fulfilment, ReshipRequest
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.workspace.enums import Role
from tests.storefront.conftest import customer_with_address
from tests.storefront.test_box_reship_pages import _photo
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _dispatched_two_line_order(shop):
    with schema_context(shop.schema_name):
        food, litter = product_save(sku="FC-0001", price_minor=12_900), product_save(sku="L-0001", price_minor=4_500)
        customer = customer_with_address(phone="13800138123")
        customer.user = User.objects.create_user("reship@alpha.test", "pw-long-enough-1")
        customer.save(update_fields=["user"])
        method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:12]}")
        cart_set(customer=customer, product=food, quantity=2)
        cart_set(customer=customer, product=litter, quantity=3)
        order = checkout(customer=customer, payment_method=method, checkout_key="reship-k")
        Fulfilment.objects.filter(order=order).update(status=FulfilmentStatus.DISPATCHED, dispatched_at=timezone.now())
        lines = {line.sku: line for line in order.fulfilment.lines.all()}
    return customer.user, order, lines


def test_an_order_reship_sends_only_the_chosen_items_and_the_owner_sees_the_photo(shop, other_shop, linked, settings,
                                                                                  tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path)
    user, order, lines = _dispatched_two_line_order(shop)
    web = client_for(shop, user)
    page = web.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    english, chinese = lines["FC-0001"].warehouse_sku.name_en, lines["FC-0001"].name
    assert english in page and chinese not in page  # the English page names products in English
    assert chinese in web.get(f"/shop/orders/{order.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="item_{lines["FC-0001"].pk}"' in page and f'name="item_{lines["L-0001"].pk}"' in page
    none_chosen = web.post(f"/shop/orders/{order.uuid}/", {"reason": "missing", "note": "x"}, **EN)
    assert "Choose what is missing or damaged." in none_chosen.content.decode()
    with schema_context(shop.schema_name):
        assert (ReshipRequest.objects.count(), Fulfilment.objects.count()) == (0, 1)
    sent = web.post(f"/shop/orders/{order.uuid}/", {
        f"item_{lines['FC-0001'].pk}": "1", f"item_{lines['L-0001'].pk}": "0", "reason": "damaged",
        "note": "the cat food bag split", "photos": [_photo()]})  # fmt: skip
    assert sent.status_code == 302
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.get()
        assert [(line.sku, line.quantity) for line in request.reship.lines.all()] == [("FC-0001", 1)]
        photo_url = f"/shop/reship-photos/{request.uuid}/{request.photos.get().pk}/"
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    order_page = owner.get(f"/manage/orders/{order.uuid}/", **EN).content.decode()
    assert english in order_page
    assert "data-reships" in order_page and "the cat food bag split" in order_page and photo_url in order_page
    assert "× 1" in order_page and "/ 2" in order_page
    parcels = owner.get("/manage/parcels/", **EN).content.decode()
    assert "Recent reships" in parcels and photo_url in parcels and "the cat food bag split" in parcels
    elsewhere = client_for(other_shop, staff_user(other_shop, Role.OWNER)).get("/manage/parcels/", **EN)
    assert "the cat food bag split" not in elsewhere.content.decode()


def test_a_cancelled_order_says_cancelled_once(shop, linked):
    import re

    from pawpact.storefront.services.refunds import order_cancel
    from tests.storefront.test_refunds import _paid_order

    with schema_context(shop.schema_name):
        order = order_cancel(order=_paid_order())
        order.customer.user = User.objects.create_user("cancel@alpha.test", "pw-long-enough-1")
        order.customer.save(update_fields=["user"])
        user = order.customer.user
    page = client_for(shop, user).get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    state = re.search(r"<p data-order-state>(.*?)</p>", page, re.S).group(1)
    assert state.count("Cancelled") == 1
