"""The warehouse fetches a reship's photos with the signed links in the reship request: a
valid link serves the bytes to a caller without a session; a forged, expired or altered
link, or one opened on another shop's host, serves nothing. The sandbox warehouse fetches
them over real HTTP when the reship arrives."""
import hashlib
import io
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from pawpact.accounts.models import User
from pawpact.billing.models import PaymentMethod
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, ReshipStatus
from pawpact.storefront.models import Fulfilment, ReshipPhoto, ReshipRequest
from pawpact.storefront.photo_links import SALT, photo_token
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.fulfilment import _payload
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.services.reships import reship_request
from tests.browser import app_server
from tests.storefront.conftest import customer_with_address
from tests.storefront.test_order_reships import _dispatched_two_line_order
from tests.workspace.conftest import client_for


def _png(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _reship_with_photo(shop) -> tuple[Fulfilment, bytes]:
    """(the reship parcel sent to the warehouse, the photo's bytes) in `shop`."""
    _user, order, lines = _dispatched_two_line_order(shop)
    data = _png()
    with schema_context(shop.schema_name):
        request = reship_request(customer=order.customer, parcel_uuid=order.fulfilment.uuid, reason="damaged",
                                 note="split", items={lines["FC-0001"].pk: 1},
                                 photos=[SimpleUploadedFile("wang fang.png", data, "image/png")])  # fmt: skip
        return request.reship, data


def _foreign_photo(shop, warehouse_id: int, *, pk: int) -> ReshipPhoto:
    """A photo in another shop under the same id as the first shop's."""
    with schema_context(shop.schema_name):
        customer = customer_with_address(name="Other", phone="13900139000")
        parcel = Fulfilment.objects.create(kind=FulfilmentKind.ORDER, customer=customer, warehouse_id=warehouse_id,
                                           status=FulfilmentStatus.DISPATCHED)  # fmt: skip
        request = ReshipRequest.objects.create(fulfilment=parcel, customer=customer, reason="damaged",
                                               status=ReshipStatus.PENDING)  # fmt: skip
        return ReshipPhoto.objects.create(pk=pk, request=request, image=SimpleUploadedFile("b.png", _png((0, 0, 200))))


def _get(client, url: str):
    return client.get(urlsplit(url).path)


def test_a_signed_link_serves_the_photo_and_nothing_else(shop, other_shop, linked, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    reship, data = _reship_with_photo(shop)
    with schema_context(shop.schema_name):
        payload = _payload(Fulfilment.objects.get(pk=reship.pk))
        again = _payload(Fulfilment.objects.get(pk=reship.pk))
        photo = ReshipPhoto.objects.get()
    assert payload == again  # a resend carries the same body, so the warehouse answers it as the same reship
    [link] = payload["photos"]
    assert "/warehouse/reship-photos/" in link and "/media/" not in link and link.startswith(f"http://{shop.get_primary_domain().domain}")
    anonymous = client_for(shop)  # no session, no cookie
    response = _get(anonymous, link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Cache-Control"] == "private, no-store"

    token = urlsplit(link).path.split("/")[-2]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = anonymous.get(f"/warehouse/reship-photos/{forged}/")
    assert (refused.status_code, refused.json()["code"]) == (403, "bad_signature") and data not in refused.content
    # Another photo of the same request, by a link signed for this one with its id changed: the signature breaks.
    body = signing.Signer(salt=SALT).unsign_object(token)
    altered = signing.Signer(salt="another-salt").sign_object({**body, "p": photo.pk + 1})
    assert anonymous.get(f"/warehouse/reship-photos/{altered}/").status_code == 403
    unknown = photo_token(schema_name=shop.schema_name, request_uuid=uuid.uuid4(), photo_id=photo.pk,
                          expires_at=timezone.now() + timedelta(days=1))  # fmt: skip
    assert anonymous.get(f"/warehouse/reship-photos/{unknown}/").status_code == 404  # the photo is not that request's

    with time_machine.travel(reship.created_at + timedelta(days=7, seconds=1), tick=False):
        expired = _get(anonymous, link)
    assert (expired.status_code, expired.json()["code"]) == (403, "link_expired")
    with time_machine.travel(reship.created_at + timedelta(days=6, hours=23), tick=False):
        assert _get(anonymous, link).status_code == 200


def test_one_shops_link_never_serves_another_shops_photo(shop, other_shop, linked, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    reship, data = _reship_with_photo(shop)
    with schema_context(shop.schema_name):
        [link] = _payload(Fulfilment.objects.get(pk=reship.pk))["photos"]
        own = ReshipPhoto.objects.get()
    foreign = _foreign_photo(other_shop, linked.pk, pk=own.pk)
    assert own.pk == foreign.pk  # same id in both schemas: only the shop in the link tells them apart
    elsewhere = _get(client_for(other_shop), link)
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "not_found"
    with schema_context(other_shop.schema_name):
        foreign_token = photo_token(schema_name=other_shop.schema_name, request_uuid=foreign.request.uuid,
                                    photo_id=foreign.pk, expires_at=timezone.now() + timedelta(days=7))  # fmt: skip
    here = client_for(shop).get(f"/warehouse/reship-photos/{foreign_token}/")
    assert here.status_code == 404 and data not in here.content
    served = client_for(other_shop).get(f"/warehouse/reship-photos/{foreign_token}/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == _png((0, 0, 200))


def test_the_sandbox_warehouse_fetches_the_photos_when_the_reship_arrives(
    shop, linked, sandbox_warehouse, relay, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    data = _png()
    with schema_context(shop.schema_name):
        product = product_save(sku="FC-0001", price_minor=12_900)
        customer = customer_with_address(phone="13800138777")
        customer.user = User.objects.create_user("photos@alpha.test", "pw-long-enough-1")
        customer.save(update_fields=["user"])
        method = PaymentMethod.objects.create(customer=customer, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:12]}")
        cart_set(customer=customer, product=product, quantity=2)
        with django_capture_on_commit_callbacks(execute=True):
            order = checkout(customer=customer, payment_method=method, checkout_key="photo-k")
        parcel = Fulfilment.objects.get(order=order)
        assert parcel.status == FulfilmentStatus.SENT
    sandbox_warehouse.tick(ahead=3601)  # the warehouse dispatches the order
    relay.take()
    with schema_context(shop.schema_name):
        Fulfilment.objects.filter(pk=parcel.pk).update(status=FulfilmentStatus.DISPATCHED, dispatched_at=timezone.now())
    with app_server(monkeypatch) as server:
        settings.PAWPACT_URL_SCHEME, settings.PAWPACT_URL_PORT = "http", server.port
        with server.db(), schema_context(shop.schema_name), django_capture_on_commit_callbacks(execute=True):
            request = reship_request(customer=customer, parcel_uuid=parcel.uuid, reason="damaged", note="torn",
                                     photos=[SimpleUploadedFile("a.png", data, "image/png")])  # fmt: skip
        fetches = []
        for _ in range(100):
            fetches = sandbox_warehouse.control("orders")["photo_fetches"]
            if fetches:
                break
            time.sleep(0.1)
    with schema_context(shop.schema_name):
        reship = Fulfilment.objects.get(pk=request.reship_id)
    assert reship.status == FulfilmentStatus.SENT
    assert [(f["reship_id"], f["status"], f["bytes"], f["sha256"]) for f in fetches] == [
        (str(reship.uuid), 200, len(data), hashlib.sha256(data).hexdigest())]
    assert "/warehouse/reship-photos/" in fetches[0]["url"]
    received = {o["order_id"]: o for o in sandbox_warehouse.orders()}
    assert received[str(reship.uuid)]["reship_of"] == str(parcel.uuid)
