"""Secret API keys: an owner makes, lists, rolls and revokes them; a key is shown once, stored
as a digest, works as `Bearer sk_…` with staff permissions at its own shop only, in its own
mode only, until revoked; failed keys are throttled; no one else manages keys."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.api_keys import api_key_create
from pawpact.accounts.models import ApiKey, User
from pawpact.accounts.services import api_token_issue
from pawpact.api.key_auth import ApiKeyGuessThrottle
from pawpact.tenants.models import Shop
from pawpact.workspace.enums import Role
from tests.api.test_billing_api import customer_register, error, ok
from tests.conftest import host_of
from tests.workspace.conftest import staff_user


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _device(shop, user) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


def _keyed(shop, secret: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def _keys(shop) -> list[tuple[str, bool]]:
    with schema_context(shop.schema_name):
        return [(key.name, key.revoked_at is None) for key in ApiKey.objects.order_by("id")]


@pytest.fixture
def owner_api(shop):
    return _device(shop, staff_user(shop, Role.OWNER))


def test_the_owner_makes_a_key_shown_once_and_stored_as_a_digest(shop, owner_api):
    made = owner_api.post("/api/v1/api-keys", {"name": "ERP"}, format="json")
    body = ok(made, 201)
    secret = body["secret"]
    assert secret.startswith("sk_test_") and len(secret) == len("sk_test_") + 40
    assert "no-store" in made["Cache-Control"]
    assert (body["object"], body["name"], body["mode"], body["redacted"]) == ("api_key", "ERP", "test", f"sk_test_…{secret[-4:]}")
    assert body["created_by"] == shop.owner.email and body["last_used_at"] is None
    with schema_context(shop.schema_name):
        row = ApiKey.objects.get()
    assert secret not in (row.digest, row.last4) and row.last4 == secret[-4:] and len(row.digest) == 64
    listed = ok(owner_api.get("/api/v1/api-keys"))["results"]
    assert [(key["id"], key["redacted"]) for key in listed] == [(body["id"], f"sk_test_…{secret[-4:]}")]
    assert "secret" not in listed[0] and secret not in str(owner_api.get("/api/v1/api-keys").content)


def test_a_key_acts_with_staff_permissions_as_bearer_or_token(shop, owner_api):
    secret = ok(owner_api.post("/api/v1/api-keys", {"name": "CRM"}, format="json"), 201)["secret"]
    for keyword in ("Bearer", "Token"):
        server = _keyed(shop, secret, keyword)
        assert server.get("/api/v1/customers").status_code == 200
        assert server.get("/api/v1/webhook-endpoints").status_code == 200
        assert server.get("/api/v1/sandbox/sms?phone=13800138000").status_code == 200
        assert ok(server.get("/api/v1/me"))["is_staff"] is True
    with schema_context(shop.schema_name):
        key = ApiKey.objects.get()
    assert key.last_used_at is not None and key.api_version  # pinned at its first call


def test_a_key_of_one_shop_is_refused_at_another(shop, other_shop, owner_api):
    secret = ok(owner_api.post("/api/v1/api-keys", {"name": "ERP"}, format="json"), 201)["secret"]
    refused = _keyed(other_shop, secret).get("/api/v1/customers")
    assert error(refused, 401)["code"] == "api_key_invalid"
    assert error(_keyed(other_shop, secret).get("/api/v1/plans"), 401)["code"] == "api_key_invalid"
    assert _keys(other_shop) == []
    assert error(_keyed(shop, "sk_test_" + "x" * 40).get("/api/v1/customers"), 401)["code"] == "api_key_invalid"


def test_revoking_and_rolling_stop_the_old_secret_at_once(shop, owner_api):
    made = ok(owner_api.post("/api/v1/api-keys", {"name": "ERP"}, format="json"), 201)
    rolled = ok(owner_api.post(f"/api/v1/api-keys/{made['id']}/roll"), 201)
    assert rolled["name"] == "ERP" and rolled["secret"] != made["secret"] and rolled["id"] != made["id"]
    assert error(_keyed(shop, made["secret"]).get("/api/v1/customers"), 401)["code"] == "api_key_invalid"
    assert _keyed(shop, rolled["secret"]).get("/api/v1/customers").status_code == 200
    assert [key["id"] for key in ok(owner_api.get("/api/v1/api-keys"))["results"]] == [rolled["id"]]
    assert owner_api.post(f"/api/v1/api-keys/{made['id']}/roll").status_code == 404  # a revoked key stays revoked
    assert owner_api.delete(f"/api/v1/api-keys/{rolled['id']}").status_code == 204
    assert error(_keyed(shop, rolled["secret"]).get("/api/v1/customers"), 401)["code"] == "api_key_invalid"
    assert _keys(shop) == [("ERP", False), ("ERP", False)]
    assert ok(owner_api.get("/api/v1/api-keys"))["results"] == []


def test_a_key_of_the_other_mode_is_refused(shop):
    with schema_context(shop.schema_name):
        live = api_key_create(user=User.objects.get(email=shop.owner.email), name="Live ERP", livemode=True)
        test = api_key_create(user=User.objects.get(email=shop.owner.email), name="Test ERP", livemode=False)
    assert live.secret.startswith("sk_live_")
    assert error(_keyed(shop, live.secret).get("/api/v1/customers"), 401)["code"] == "api_key_wrong_mode"
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    assert error(_keyed(shop, test.secret).get("/api/v1/customers"), 401)["code"] == "api_key_wrong_mode"
    assert _keyed(shop, live.secret).get("/api/v1/customers").status_code == 200


def test_a_deactivated_owner_s_keys_stop(shop, owner_api):
    secret = ok(owner_api.post("/api/v1/api-keys", {"name": "ERP"}, format="json"), 201)["secret"]
    with schema_context(shop.schema_name):
        User.objects.filter(email=shop.owner.email).update(is_active=False)
    assert error(_keyed(shop, secret).get("/api/v1/customers"), 401)["code"] == "api_key_invalid"


def test_only_an_owner_signed_in_manages_keys(shop, owner_api):
    secret = ok(owner_api.post("/api/v1/api-keys", {"name": "ERP"}, format="json"), 201)["secret"]
    key_id = ok(owner_api.get("/api/v1/api-keys"))["results"][0]["id"]
    server = _keyed(shop, secret)
    assert error(server.post("/api/v1/api-keys", {"name": "more"}, format="json"), 403)["code"] == "api_key_not_allowed"
    assert error(server.post(f"/api/v1/api-keys/{key_id}/roll"), 403)["code"] == "api_key_not_allowed"
    assert error(server.delete(f"/api/v1/api-keys/{key_id}"), 403)["code"] == "api_key_not_allowed"
    manager = _device(shop, staff_user(shop, Role.MANAGER))
    assert error(manager.post("/api/v1/api-keys", {"name": "x"}, format="json"), 403)["code"] == "permission_denied"
    assert error(manager.delete(f"/api/v1/api-keys/{key_id}"), 403)["code"] == "permission_denied"
    _me, customer = customer_register(shop, suffix="561")
    assert customer.get("/api/v1/api-keys").status_code == 403
    assert APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/api-keys").status_code == 401
    assert _keys(shop) == [("ERP", True)]
    assert server.get("/api/v1/customers").status_code == 200


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "   "}, {"name": "x" * 101}, {}, {"name": "a", "mode": "live"}])
def test_a_bad_name_is_refused_and_makes_nothing(shop, owner_api, body):
    response = owner_api.post("/api/v1/api-keys", body, format="json")
    assert response.status_code == 400 and response.json()["fields"]
    assert _keys(shop) == []


def test_at_most_twenty_keys(shop, owner_api):
    for number in range(20):
        ok(owner_api.post("/api/v1/api-keys", {"name": f"k{number}"}, format="json"), 201)
    assert error(owner_api.post("/api/v1/api-keys", {"name": "k20"}, format="json"), 422)["code"] == "api_key_limit_reached"
    assert len(_keys(shop)) == 20


def test_guessing_keys_is_throttled(shop, monkeypatch):
    monkeypatch.setattr(ApiKeyGuessThrottle, "THROTTLE_RATES", {"token": "3/min"})
    codes = [_keyed(shop, f"sk_test_guess{n}").get("/api/v1/customers").json()["code"] for n in range(5)]
    assert codes == ["api_key_invalid"] * 3 + ["throttled"] * 2
