"""Per-device sign-in: access tokens expire, refresh tokens rotate once each, a refresh token
presented again signs its device out, users list and sign out their own devices only, and
WeChat mini-program logins go through the sandbox in test mode (never the network)."""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice, ApiRetiredRefresh, User, WeChatIdentity
from pawpact.accounts.services import api_device_sign_in
from pawpact.core.clock import FixedClock
from tests.conftest import SHOP_PASSWORD, host_of


@pytest.fixture(autouse=True)
def _deployed_lifetimes():
    with override_settings(PAWPACT_API_ACCESS_TTL=timedelta(hours=2), PAWPACT_API_REFRESH_TTL=timedelta(days=30)):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _user(shop, email: str, *, is_staff: bool = False) -> User:
    with schema_context(shop.schema_name):
        return User.objects.create_user(email, SHOP_PASSWORD, is_staff=is_staff)


def _client(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def _sign_in(shop, email: str, device_name: str = "") -> dict:
    body = {"email": email, "password": SHOP_PASSWORD, "device_name": device_name}
    response = _client(shop).post("/api/v1/auth/token", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _devices(shop, **filters) -> list[tuple[str, bool]]:
    with schema_context(shop.schema_name):
        rows = ApiDevice.objects.filter(**filters).order_by("id")
        return [(device.name, device.revoked_at is not None) for device in rows]


def test_each_sign_in_is_a_device_with_its_own_expiring_tokens(shop):
    _user(shop, "ann@alpha.test")
    phone, laptop = _sign_in(shop, "ann@alpha.test", "iPhone"), _sign_in(shop, "ann@alpha.test", "Laptop")
    assert phone["token"] != laptop["token"] and phone["device_id"] != laptop["device_id"]
    expires = timezone.datetime.fromisoformat(phone["token_expires_at"])
    assert timedelta(hours=1, minutes=59) < expires - timezone.now() <= timedelta(hours=2)
    refresh_expires = timezone.datetime.fromisoformat(phone["refresh_expires_at"])
    assert timedelta(days=29) < refresh_expires - timezone.now() <= timedelta(days=30)
    listed = _client(shop, phone["token"]).get("/api/v1/auth/devices").json()["results"]
    assert [(d["name"], d["current"], d["object"]) for d in listed] == [("Laptop", False, "device"), ("iPhone", True, "device")]
    with schema_context(shop.schema_name):  # only digests are stored
        assert not ApiDevice.objects.filter(access_digest=phone["token"]).exists()


def test_an_expired_access_token_answers_token_expired(shop):
    user = _user(shop, "ann@alpha.test")
    with schema_context(shop.schema_name):
        issued = api_device_sign_in(user=user, clock=FixedClock(timezone.now() - timedelta(hours=3)))
    response = _client(shop, issued.access_token).get("/api/v1/me")
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")


def test_refresh_rotates_both_tokens_once(shop):
    _user(shop, "ann@alpha.test")
    first = _sign_in(shop, "ann@alpha.test", "iPhone")
    refreshed = _client(shop).post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["device_id"] == first["device_id"]
    assert {second["token"], second["refresh_token"]}.isdisjoint({first["token"], first["refresh_token"]})
    assert _client(shop, first["token"]).get("/api/v1/me").status_code == 401
    assert _client(shop, second["token"]).get("/api/v1/me").status_code == 200
    assert _devices(shop) == [("iPhone", False)]


def test_a_refresh_token_used_twice_signs_the_device_out(shop):
    _user(shop, "ann@alpha.test")
    first = _sign_in(shop, "ann@alpha.test", "iPhone")
    other_device = _sign_in(shop, "ann@alpha.test", "Laptop")
    second = _client(shop).post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json").json()
    replay = _client(shop).post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
    assert (replay.status_code, replay.json()["code"]) == (401, "refresh_token_reused")
    # The whole family is out: the newest access and refresh token of that device too.
    assert _client(shop, second["token"]).get("/api/v1/me").status_code == 401
    again = _client(shop).post("/api/v1/auth/refresh", {"refresh_token": second["refresh_token"]}, format="json")
    assert (again.status_code, again.json()["code"]) == (401, "refresh_token_invalid")
    assert _devices(shop) == [("iPhone", True), ("Laptop", False)]
    assert _client(shop, other_device["token"]).get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("body", [{"refresh_token": "nope"}, {"refresh_token": ""}, {}, {"refresh_token": 5}])
def test_a_bad_refresh_is_refused_and_changes_nothing(shop, body):
    _user(shop, "ann@alpha.test")
    _sign_in(shop, "ann@alpha.test")
    response = _client(shop).post("/api/v1/auth/refresh", body, format="json")
    assert response.status_code in (400, 401)
    assert response.json()["code"] == ("refresh_token_invalid" if body.get("refresh_token") == "nope" else "invalid")
    assert _devices(shop) == [("", False)]
    with schema_context(shop.schema_name):
        assert ApiRetiredRefresh.objects.count() == 0


def test_refresh_of_another_shop_is_unknown(shop, other_shop):
    _user(shop, "ann@alpha.test")
    tokens = _sign_in(shop, "ann@alpha.test")
    response = _client(other_shop).post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "refresh_token_invalid")
    assert _devices(shop) == [("", False)]
    assert _client(other_shop, tokens["token"]).get("/api/v1/auth/devices").status_code == 401


def test_logout_signs_out_this_device_only(shop):
    _user(shop, "ann@alpha.test")
    phone, laptop = _sign_in(shop, "ann@alpha.test", "iPhone"), _sign_in(shop, "ann@alpha.test", "Laptop")
    assert _client(shop, phone["token"]).post("/api/v1/auth/logout").status_code == 204
    assert _client(shop, phone["token"]).get("/api/v1/me").status_code == 401
    refused = _client(shop).post("/api/v1/auth/refresh", {"refresh_token": phone["refresh_token"]}, format="json")
    assert refused.json()["code"] == "refresh_token_invalid"
    assert _client(shop, laptop["token"]).get("/api/v1/me").status_code == 200


def test_a_user_signs_out_their_own_devices_only(shop):
    _user(shop, "ann@alpha.test")
    _user(shop, "bob@alpha.test", is_staff=True)
    ann_phone, ann_laptop = _sign_in(shop, "ann@alpha.test", "iPhone"), _sign_in(shop, "ann@alpha.test", "Laptop")
    bob = _sign_in(shop, "bob@alpha.test", "Desk")
    # Not even staff sign out someone else's device through this door.
    assert _client(shop, bob["token"]).delete(f"/api/v1/auth/devices/{ann_phone['device_id']}").status_code == 404
    assert _client(shop, ann_laptop["token"]).delete(f"/api/v1/auth/devices/{bob['device_id']}").status_code == 404
    assert _devices(shop, revoked_at__isnull=False) == []
    answer = _client(shop, ann_laptop["token"]).delete(f"/api/v1/auth/devices/{ann_phone['device_id']}")
    assert answer.status_code == 204
    assert _devices(shop) == [("iPhone", True), ("Laptop", False), ("Desk", False)]
    assert [d["name"] for d in _client(shop, ann_laptop["token"]).get("/api/v1/auth/devices").json()["results"]] == ["Laptop"]


# --- WeChat mini-program -----------------------------------------------------------------------


def test_wechat_login_after_linking_in_the_sandbox(shop):
    user = _user(shop, "ann@alpha.test")
    unlinked = _client(shop).post("/api/v1/auth/wechat", {"code": "wx_test_ann.1"}, format="json")
    assert (unlinked.status_code, unlinked.json()["code"]) == (401, "wechat_not_linked")
    tokens = _sign_in(shop, "ann@alpha.test")
    linked = _client(shop, tokens["token"]).post("/api/v1/auth/wechat/link", {"code": "wx_test_ann.2"}, format="json")
    assert linked.status_code == 204
    signed_in = _client(shop).post("/api/v1/auth/wechat", {"code": "wx_test_ann.3"}, format="json")
    assert signed_in.status_code == 200
    assert _client(shop, signed_in.json()["token"]).get("/api/v1/me").json()["email"] == "ann@alpha.test"
    # A code works once, as WeChat's do; an unknown code is refused.
    for code in ("wx_test_ann.3", "wx_test_invalid", "081abcDEF"):
        refused = _client(shop).post("/api/v1/auth/wechat", {"code": code}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (401, "wechat_code_invalid")
    with schema_context(shop.schema_name):
        assert list(WeChatIdentity.objects.values_list("user_id", flat=True)) == [user.pk]
    assert _devices(shop) == [("", False), ("WeChat", False)]


def test_one_wechat_user_links_to_one_login_and_not_across_shops(shop, other_shop):
    _user(shop, "ann@alpha.test")
    _user(shop, "bob@alpha.test")
    ann, bob = _sign_in(shop, "ann@alpha.test"), _sign_in(shop, "bob@alpha.test")
    assert _client(shop, ann["token"]).post("/api/v1/auth/wechat/link", {"code": "wx_test_w.1"}).status_code == 204
    taken = _client(shop, bob["token"]).post("/api/v1/auth/wechat/link", {"code": "wx_test_w.2"})
    assert (taken.status_code, taken.json()["code"]) == (409, "wechat_already_linked")
    elsewhere = _client(other_shop).post("/api/v1/auth/wechat", {"code": "wx_test_w.3"}, format="json")
    assert elsewhere.json()["code"] == "wechat_not_linked"
    with schema_context(shop.schema_name):
        assert WeChatIdentity.objects.count() == 1
    with schema_context(other_shop.schema_name):
        assert WeChatIdentity.objects.count() == 0
