"""A customer's reship reads as a request: which items, what happened, their photos, and a
promise only once there is one; the plan-box page shows the photos too and says "requested"
once. Another customer opens neither the page nor the photo."""
from django_tenants.utils import schema_context

from pawpact.storefront.models import ReshipRequest
from tests.storefront.test_box_reship_pages import _box_customer, _photo
from tests.storefront.test_order_reships import _dispatched_two_line_order
from tests.workspace.conftest import client_for

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_order_page_names_the_reship_items_reason_and_photos(shop, linked, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user, order, lines = _dispatched_two_line_order(shop)
    web = client_for(shop, user)
    web.post(f"/shop/orders/{order.uuid}/", {
        f"item_{lines['FC-0001'].pk}": "1", f"item_{lines['L-0001'].pk}": "0", "reason": "damaged",
        "note": "the cat food bag split", "photos": [_photo()]})  # fmt: skip
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.select_related("reship").get()
        photo_url = f"/shop/reship-photos/{request.uuid}/{request.photos.get().pk}/"
        assert request.reship.due_at is None
    page = web.get(f"/shop/orders/{order.uuid}/", **EN).content.decode()
    card = page[page.index("data-reship>"):]
    card = card[:card.index("</div>\n", card.index("data-my-photos"))]
    assert "An item arrived damaged" in card and lines["FC-0001"].warehouse_sku.name_en in card and "× 1" in card
    assert lines["L-0001"].warehouse_sku.name_en not in card and photo_url in card
    assert "promised by —" not in page and "which ships it within 48 hours" in page
    assert web.get(photo_url).status_code == 200


def test_the_box_page_shows_the_sent_photos_and_says_requested_once(shop, linked, settings, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    web, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    done = web.post(f"/shop/boxes/{box.uuid}/", {
        f"item_{lines['S-0001'].pk}": "1", f"item_{lines['FC-0002'].pk}": "0", "reason": "damaged",
        "note": "one snack bag torn", "photos": [_photo()]}, follow=True, **EN)  # fmt: skip
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.get()
        photo_url = f"/shop/reship-photos/{request.uuid}/{request.photos.get().pk}/"
    page = done.content.decode()
    assert page.count("Reship requested. The shop checks it and answers here.") == 1
    assert photo_url in page[page.index('id="reship"'):]
