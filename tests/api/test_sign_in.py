"""Sign-in hardening: the token endpoint's throttle keys on the real client address (not a
header the client writes), allauth's failed-login lockout guards the token endpoint, the
shops' sign-in and the platform's admin login, redirects after login stay on the host,
and signed-in API answers are never cached."""
import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from pawpact.accounts.models import User
from tests.conftest import SHOP_PASSWORD, host_of

LOCKOUT = {"login_failed": "100/m/ip,3/300s/key"}
LOCKOUT_SECONDS = 300  # the longest window of LOCKOUT


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _staff(shop, email: str) -> User:
    with schema_context(shop.schema_name):
        return User.objects.create_user(email, SHOP_PASSWORD, is_staff=True)


def _token(client, email: str, password: str, **headers):
    return client.post("/api/v1/auth/token", {"email": email, "password": password}, format="json", **headers)


def test_a_new_x_forwarded_for_does_not_reset_the_token_throttle(shop, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    client = APIClient(HTTP_HOST=host_of(shop))
    answers = [
        _token(client, "nobody@alpha.test", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(5)
    ]
    assert answers == [401, 401, 401, 429, 429]


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_the_token_endpoint_locks_an_account_after_failed_logins(shop):
    _staff(shop, "target@alpha.test")
    _staff(shop, "bystander@alpha.test")
    client = APIClient(HTTP_HOST=host_of(shop))
    assert [_token(client, "target@alpha.test", "guess").status_code for _ in range(3)] == [401, 401, 401]
    locked = _token(client, "target@alpha.test", SHOP_PASSWORD)
    assert (locked.status_code, locked.json()["code"]) == (429, "throttled")
    assert locked["Retry-After"] == str(LOCKOUT_SECONDS)
    # Another account at the same address still signs in.
    assert _token(client, "bystander@alpha.test", SHOP_PASSWORD).status_code == 200


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_the_shop_login_locks_an_account_after_failed_logins(shop):
    email = "boss@alpha.test"
    _staff(shop, email)
    browser = Client(HTTP_HOST=host_of(shop))
    for _ in range(3):
        refused = browser.post("/accounts/login/", {"login": email, "password": "guess"})
        assert refused.status_code == 200
    locked = browser.post("/accounts/login/", {"login": email, "password": SHOP_PASSWORD})
    assert locked.status_code == 200  # the form again, not the redirect into the workspace
    assert "Too many failed login attempts" in locked.content.decode()
    assert browser.get("/manage/").status_code == 302


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_the_platform_admin_login_locks_an_account_after_failed_logins(db):
    email = "root@platform.test"
    User.objects.create_superuser(email, SHOP_PASSWORD)
    browser = Client(HTTP_HOST="localhost")
    for _ in range(3):
        refused = browser.post("/admin/login/?next=/admin/", {"username": email, "password": "guess"})
        assert refused.status_code == 200
    locked = browser.post("/admin/login/?next=/admin/", {"username": email, "password": SHOP_PASSWORD})
    assert locked.status_code == 200  # the form again, not the redirect into the admin
    assert "Too many failed login attempts" in locked.content.decode()
    assert browser.get("/admin/").status_code == 302


def test_a_shop_host_has_no_admin_and_its_staff_sign_in_to_the_workspace(shop):
    _staff(shop, "boss@alpha.test")
    browser = Client(HTTP_HOST=host_of(shop))
    assert browser.get("/admin/").status_code == 404
    response = browser.post("/accounts/login/", {"login": "boss@alpha.test", "password": SHOP_PASSWORD})
    assert response.status_code == 302
    assert browser.get("/manage/").status_code == 200


@pytest.mark.parametrize(
    ("next_url", "followed"),
    [("/my/plans/", True), ("http://alpha.localhost/my/plans/", True), ("http://evil.localhost/", False)],
)
def test_after_login_next_stays_on_the_host(shop, next_url, followed):
    with schema_context(shop.schema_name):
        User.objects.create_user("adopter@alpha.test", SHOP_PASSWORD)
    browser = Client(HTTP_HOST=host_of(shop))
    response = browser.post(
        "/accounts/login/", {"login": "adopter@alpha.test", "password": SHOP_PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert (response["Location"] == next_url) is followed
    assert "evil" not in response["Location"]


def test_signed_in_api_answers_are_not_stored(shop):
    user = _staff(shop, "staff@alpha.test")
    client = APIClient(HTTP_HOST=host_of(shop))
    token = _token(client, user.email, SHOP_PASSWORD).json()["token"]
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    for path in ("/api/v1/me", "/api/v1/customers", "/api/v1/contracts/00000000-0000-0000-0000-000000000000"):
        assert "no-store" in client.get(path)["Cache-Control"]
    assert "no-store" not in APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans").get("Cache-Control", "")


def test_token_answers_are_never_cached(shop):
    _staff(shop, "cache@alpha.test")
    client = APIClient(HTTP_HOST=host_of(shop))
    signed_in = _token(client, "cache@alpha.test", SHOP_PASSWORD)
    assert signed_in.status_code == 200
    assert "no-store" in signed_in["Cache-Control"]
    refreshed = client.post("/api/v1/auth/refresh", {"refresh_token": signed_in.json()["refresh_token"]}, format="json")
    assert refreshed.status_code == 200
    assert "no-store" in refreshed["Cache-Control"]


def test_an_invalid_token_on_a_public_operation_answers_401_not_the_public_answer(shop):
    """Documented choice: a token that is sent is checked, so a frontend learns at once that it must refresh."""
    client = APIClient(HTTP_HOST=host_of(shop))
    assert client.get("/api/v1/plans").status_code == 200
    refused = client.get("/api/v1/plans", HTTP_AUTHORIZATION="Token not-a-token")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
