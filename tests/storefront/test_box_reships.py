"""Reships of plan boxes: asked for through the API with the same photo checks and rules as an
order's, pending until staff approve (the box goes out again) or refuse with an answer; bad
input and someone else's box write nothing; another shop sees none of it."""
import io

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.debits import period_collect
from pawpact.core.clock import FixedClock
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, ReshipStatus
from pawpact.storefront.models import Fulfilment, ReshipPhoto, ReshipRequest
from tests.billing.debits.factories import SIGNING_DAY_NOON
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.test_plan_boxes import BOX, _contract_with_box
from tests.storefront.test_shop_api import _buyer, _client, _png


def _dispatched_box(shop, capture, email="box@alpha.test"):
    """(API client of the box's customer, the box) — period 1 paid, its box dispatched today."""
    with schema_context(shop.schema_name):
        contract = _contract_with_box()
        with capture(execute=True):
            period_collect(period=DebitPeriod.objects.get(contract=contract, number=1), clock=FixedClock(SIGNING_DAY_NOON))
        box = Fulfilment.objects.get(contract=contract, kind=FulfilmentKind.PLAN_BOX)
        Fulfilment.objects.filter(pk=box.pk).update(status=FulfilmentStatus.DISPATCHED, dispatched_at=timezone.now())
        customer = contract.customer
        customer.user = User.objects.create_user(email, SHOP_PASSWORD)
        customer.save(update_fields=["user"])
        return _client(shop, api_token_issue(user=customer.user)), box


def _counts(shop) -> tuple:
    with schema_context(shop.schema_name):
        return ReshipRequest.objects.count(), ReshipPhoto.objects.count(), Fulfilment.objects.count()


def test_a_box_reship_waits_for_staff_and_approval_ships_the_box_again(
    shop, linked, settings, tmp_path, shop_staff, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    client, box = _dispatched_box(shop, django_capture_on_commit_callbacks)
    url = f"/api/v1/shop/boxes/{box.uuid}/reships"
    before = _counts(shop)
    no_photo = client.post(url, {"reason": "damaged", "note": "bag torn"}, format="multipart")
    assert no_photo.status_code == 422 and no_photo.json()["code"] == "reship_refused"
    fake = io.BytesIO(b"MZ\x90\x00 not a photo at all")
    fake.name = "evil.jpg"
    for bad in ({"reason": "damaged", "photos": [fake]}, {"reason": "lost"}):
        refused = client.post(url, bad, format="multipart")
        assert refused.status_code in (400, 422) and set(refused.json()) == {"code", "message", "fields"}
    assert _counts(shop) == before
    answer = client.post(url, {"reason": "damaged", "note": "bag torn", "photos": [_png()]}, format="multipart")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["box_uuid"], body["order_uuid"], body["shipment"], body["photo_count"]) == (
        "pending", str(box.uuid), None, None, 1)
    assert _counts(shop) == (before[0] + 1, before[1] + 1, before[2])  # no parcel until staff approve
    again = client.post(url, {"reason": "missing"}, format="multipart")
    assert again.status_code == 422 and _counts(shop) == (before[0] + 1, before[1] + 1, before[2])
    listed = client.get("/api/v1/shop/boxes").json()["results"]
    assert [(b["uuid"], b["period_number"], [r["status"] for r in b["reships"]]) for b in listed] == [
        (str(box.uuid), 1, ["pending"])]
    staff = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        staff.force_login(shop_staff)
    page = staff.get("/manage/parcels/").content.decode()
    assert "Plan box reships to decide" in page and "Approve and reship" in page and "/shop/reship-photos/" in page
    decide = f"/manage/parcels/reships/{body['uuid']}/decide/"
    assert staff.post(decide, {"decision": "approve"}).status_code == 302
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.get(uuid=body["uuid"])
        assert (request.status, request.decided_by_id) == (ReshipStatus.APPROVED, shop_staff.pk)
        reship = request.reship
        # Queued for the warehouse (sent once the transaction commits, like an order's reship).
        assert (reship.kind, reship.reship_of_id, reship.status) == (FulfilmentKind.RESHIP, box.pk, FulfilmentStatus.WAITING)
        assert sorted((line.sku, line.quantity) for line in reship.lines.all()) == sorted(BOX)
    assert staff.post(decide, {"decision": "refuse", "note": "late"}).status_code == 302  # decided already
    with schema_context(shop.schema_name):
        assert ReshipRequest.objects.get(uuid=body["uuid"]).status == ReshipStatus.APPROVED
        assert Fulfilment.objects.filter(kind=FulfilmentKind.RESHIP).count() == 1
    shipped = client.get("/api/v1/shop/boxes").json()["results"][0]["reships"][0]
    assert (shipped["status"], shipped["shipment"]["kind"]) == ("approved", "reship")


def test_staff_refuse_with_an_answer_and_the_customer_reads_it(
    shop, linked, shop_staff, django_capture_on_commit_callbacks
):
    client, box = _dispatched_box(shop, django_capture_on_commit_callbacks)
    request_uuid = client.post(f"/api/v1/shop/boxes/{box.uuid}/reships", {"reason": "missing", "note": "no snacks"},
                               format="multipart").json()["uuid"]  # fmt: skip
    staff = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        staff.force_login(shop_staff)
    decide = f"/manage/parcels/reships/{request_uuid}/decide/"
    staff.post(decide, {"decision": "refuse", "note": "  "})  # an answer is required to refuse
    with schema_context(shop.schema_name):
        assert ReshipRequest.objects.get(uuid=request_uuid).status == ReshipStatus.PENDING
    staff.post(decide, {"decision": "refuse", "note": "The courier's photo shows the snacks delivered."})
    with schema_context(shop.schema_name):
        request = ReshipRequest.objects.get(uuid=request_uuid)
        assert (request.status, request.reship_id) == (ReshipStatus.REFUSED, None)
        assert Fulfilment.objects.filter(kind=FulfilmentKind.RESHIP).count() == 0
    seen = client.get("/api/v1/shop/boxes").json()["results"][0]["reships"][0]
    assert (seen["status"], seen["decision_note"]) == ("refused", "The courier's photo shows the snacks delivered.")


def test_someone_elses_box_and_another_shops_host_find_nothing(
    shop, other_shop, linked, django_capture_on_commit_callbacks
):
    _owner, box = _dispatched_box(shop, django_capture_on_commit_callbacks)
    stranger, _customer, _method = _buyer(shop, "stranger@alpha.test", "13800138111")
    before = _counts(shop)
    url = f"/api/v1/shop/boxes/{box.uuid}/reships"
    assert stranger.post(url, {"reason": "missing"}, format="multipart").status_code == 404
    assert stranger.get("/api/v1/shop/boxes").json()["results"] == []
    elsewhere, _c, _m = _buyer(other_shop, "box@alpha.test", "13800138000")
    assert elsewhere.post(url, {"reason": "missing"}, format="multipart").status_code == 404
    assert elsewhere.get("/api/v1/shop/boxes").json()["results"] == []
    assert _counts(shop) == before
    staff_elsewhere = Client(HTTP_HOST=host_of(other_shop))
    with schema_context(other_shop.schema_name):
        staff_elsewhere.force_login(User.objects.create_user("boss@beta.test", SHOP_PASSWORD, is_staff=True))
    _owner_client = _owner
    request_uuid = _owner_client.post(url, {"reason": "missing"}, format="multipart").json()["uuid"]
    staff_elsewhere.post(f"/manage/parcels/reships/{request_uuid}/decide/", {"decision": "approve"})
    with schema_context(shop.schema_name):
        assert ReshipRequest.objects.get(uuid=request_uuid).status == ReshipStatus.PENDING
