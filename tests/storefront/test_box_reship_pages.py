"""The customer's plan-box pages: a box's items and tracking; a reship asked for from the page
(which items and how many, what happened, photos) waits for the shop, whose decision and the
new parcel's tracking the customer then reads there. Bad input writes nothing; someone else's
box, another shop's host and a visitor find nothing."""
import io

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from pawpact.accounts.models import User
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, ReshipStatus
from pawpact.storefront.models import Fulfilment, ReshipItem, ReshipPhoto, ReshipRequest
from tests.conftest import host_of
from tests.storefront.test_box_reships import _dispatched_box
from tests.storefront.test_shop_api import _buyer


def _web(shop, user) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client


def _photo() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "torn bag of Li Na.png"
    return buffer


def _box_customer(shop, capture):
    """(web client of the box's customer, the box, its lines by sku)."""
    _api, box = _dispatched_box(shop, capture)
    with schema_context(shop.schema_name):
        box = Fulfilment.objects.select_related("customer__user").get(pk=box.pk)
        lines = {line.sku: line for line in box.lines.all()}
        return _web(shop, box.customer.user), box, lines


def _counts(shop) -> tuple:
    with schema_context(shop.schema_name):
        return (ReshipRequest.objects.count(), ReshipItem.objects.count(), ReshipPhoto.objects.count(),
                Fulfilment.objects.count())  # fmt: skip


def test_the_customer_asks_for_some_items_again_and_follows_the_decision(
    shop, linked, shop_staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    web, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    listed = web.get("/shop/boxes/").content.decode()
    assert f"/shop/boxes/{box.uuid}/" in listed and "Month 1" in listed
    page = web.get(f"/shop/boxes/{box.uuid}/").content.decode()
    assert "Something missing or damaged?" in page and f'name="item_{lines["S-0001"].pk}"' in page
    before = _counts(shop)
    sent = web.post(f"/shop/boxes/{box.uuid}/", {
        f"item_{lines['S-0001'].pk}": "1", f"item_{lines['FC-0002'].pk}": "0", "reason": "damaged",
        "note": "one snack bag torn", "photos": [_photo()]})  # fmt: skip
    assert sent.status_code == 302
    assert _counts(shop) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3])  # no parcel until approved
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.get()
        assert (request.status, request.reason, [(i.line.sku, i.quantity) for i in request.items.all()]) == (
            ReshipStatus.PENDING, "damaged", [("S-0001", 1)])
        assert "Li Na" not in request.photos.get().image.name  # stored under a random name
    waiting = web.get(f"/shop/boxes/{box.uuid}/").content.decode()
    assert 'data-reship-state="pending"' in waiting and "Something missing or damaged?" not in waiting
    staff_page = _web(shop, shop_staff).get("/manage/parcels/").content.decode()
    assert "× 1" in staff_page and "/ 2" in staff_page  # the staff see which items, of how many
    _web(shop, shop_staff).post(f"/manage/parcels/reships/{request.uuid}/decide/",
                                {"decision": "approve", "note": "Sorry, a new bag is on its way."})  # fmt: skip
    with schema_context(shop.schema_name):
        reship = ReshipRequest.objects.get().reship
        assert [(line.sku, line.quantity) for line in reship.lines.all()] == [("S-0001", 1)]
        Fulfilment.objects.filter(pk=reship.pk).update(status=FulfilmentStatus.DISPATCHED, carrier="SF Express",
                                                       tracking_number="SF1234567890", dispatched_at=timezone.now())  # fmt: skip
    approved = web.get(f"/shop/boxes/{box.uuid}/").content.decode()
    assert 'data-reship-state="approved"' in approved and "Sorry, a new bag is on its way." in approved
    assert "SF Express SF1234567890" in approved and "The new parcel" in approved
    assert 'data-reship-state="approved"' in web.get("/shop/boxes/").content.decode()


def test_bad_items_or_a_damage_without_photo_write_nothing(shop, linked, django_capture_on_commit_callbacks):
    web, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    snacks, food = lines["S-0001"].pk, lines["FC-0002"].pk
    before = _counts(shop)
    for posted, says in (
        ({f"item_{snacks}": "3", "reason": "missing"}, "0 to 2."),  # more than the box held
        ({f"item_{snacks}": "-1", "reason": "missing"}, "0 to 2."),
        ({f"item_{snacks}": "abc", "reason": "missing"}, "0 to 2."),
        ({f"item_{snacks}": "0", f"item_{food}": "0", "reason": "missing"}, "Choose at least one item."),
        ({f"item_{food}": "1", "reason": "damaged"}, "Add a photo of the damage."),
    ):  # fmt: skip
        answer = web.post(f"/shop/boxes/{box.uuid}/", posted)
        assert answer.status_code in (400, 422) and says in answer.content.decode(), (posted, answer.status_code)
        assert _counts(shop) == before


def test_the_shops_refusal_is_shown_with_its_answer(shop, linked, shop_staff, django_capture_on_commit_callbacks):
    web, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    web.post(f"/shop/boxes/{box.uuid}/", {f"item_{lines['L-0001'].pk}": "1", "reason": "missing"})
    with schema_context(shop.schema_name):
        request_uuid = ReshipRequest.objects.get().uuid
    _web(shop, shop_staff).post(f"/manage/parcels/reships/{request_uuid}/decide/",
                                {"decision": "refuse", "note": "The courier photo shows the litter delivered."})  # fmt: skip
    page = web.get(f"/shop/boxes/{box.uuid}/").content.decode()
    assert 'data-reship-state="refused"' in page and "The courier photo shows the litter delivered." in page
    with schema_context(shop.schema_name):
        assert Fulfilment.objects.filter(kind=FulfilmentKind.RESHIP).count() == 0


def test_the_pages_speak_chinese(shop, linked, django_capture_on_commit_callbacks):
    web, box, _lines = _box_customer(shop, django_capture_on_commit_callbacks)
    page = web.get(f"/shop/boxes/{box.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "申请补发" in page and "Something missing" not in page
    assert "我的套餐月盒" in web.get("/shop/boxes/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_someone_elses_box_another_shop_and_a_visitor_find_nothing(
    shop, other_shop, linked, django_capture_on_commit_callbacks
):
    _web_owner, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    _api, _stranger, _method = _buyer(shop, "stranger@alpha.test", "13800138111")
    with schema_context(shop.schema_name):
        stranger = _web(shop, User.objects.get(email="stranger@alpha.test"))
    url, posted = f"/shop/boxes/{box.uuid}/", {f"item_{lines['L-0001'].pk}": "1", "reason": "missing"}
    before = _counts(shop)
    assert stranger.get(url).status_code == 404 and stranger.post(url, posted).status_code == 404
    assert str(box.uuid) not in stranger.get("/shop/boxes/").content.decode()
    _api, _c, _m = _buyer(other_shop, "box@alpha.test", "13800138000")
    with schema_context(other_shop.schema_name):
        elsewhere = _web(other_shop, User.objects.get(email="box@alpha.test"))
    assert elsewhere.get(url).status_code == 404 and elsewhere.post(url, posted).status_code == 404
    visitor = Client(HTTP_HOST=host_of(shop)).get(url)
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    assert _counts(shop) == before


def test_an_english_box_page_names_the_items_in_english(shop, linked, django_capture_on_commit_callbacks):
    web, box, lines = _box_customer(shop, django_capture_on_commit_callbacks)
    with schema_context(shop.schema_name):
        line = lines["S-0001"]
        english, stored = line.warehouse_sku.name_en, line.name
    assert english and english != stored
    page = web.get(f"/shop/boxes/{box.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in page and stored not in page
