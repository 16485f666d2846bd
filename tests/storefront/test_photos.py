"""Reship photos are served by an authenticated view: this shop's staff and the customer who sent
them see the image; another customer, another shop or an anonymous visitor get nothing."""
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.models import ReshipPhoto
from pawpact.workspace.enums import Role
from tests.storefront.conftest import customer_with_address
from tests.storefront.test_box_reship_pages import _photo
from tests.storefront.test_order_reships import _dispatched_two_line_order
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_staff_and_the_sender_open_the_photo_nobody_else_does(shop, other_shop, linked, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user, order, lines = _dispatched_two_line_order(shop)
    sender = client_for(shop, user)
    upload = _photo()
    sent = sender.post(f"/shop/orders/{order.uuid}/", {f"item_{lines['FC-0001'].pk}": "1", "reason": "damaged",
                                                       "note": "split", "photos": [upload]})  # fmt: skip
    assert sent.status_code == 302
    with schema_context(shop.schema_name):
        photo = ReshipPhoto.objects.select_related("request").get()
        stored = photo.image.read()
        other_customer = customer_with_address(name="Zhao", phone="13900139111")
        other_customer.user = User.objects.create_user("nosy@alpha.test", "pw-long-enough-1")
        other_customer.save(update_fields=["user"])
    url = f"/shop/reship-photos/{photo.request.uuid}/{photo.pk}/"
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    for page in (owner.get(f"/manage/orders/{order.uuid}/", **EN), owner.get("/manage/parcels/", **EN),
                 sender.get(f"/shop/orders/{order.uuid}/", **EN)):  # fmt: skip
        html = page.content.decode()
        assert url in html and "/media/" not in html
    for viewer in (owner, sender, client_for(shop, staff_user(shop, Role.CLERK))):
        response = viewer.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == stored
    assert client_for(shop, other_customer.user).get(url).status_code == 404
    assert client_for(other_shop, staff_user(other_shop, Role.OWNER)).get(url).status_code == 404
    assert client_for(shop).get(url).status_code == 302  # to the login, no file
    assert owner.get(f"/shop/reship-photos/{order.uuid}/{photo.pk}/").status_code == 404  # wrong request
