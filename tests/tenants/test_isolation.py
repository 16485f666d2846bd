"""Nothing of one shop is visible or writable from another shop's host, back office, token or task."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from tests.conftest import SHOP_PASSWORD, host_of


@pytest.fixture
def alpha_secret(shop):
    with schema_context(shop.schema_name):
        return User.objects.create_user("secret@alpha.test", SHOP_PASSWORD, name="Alpha Secret", is_staff=True)


def _owner_client(shop) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    response = client.post("/accounts/login/", {"login": shop.owner.email, "password": SHOP_PASSWORD})
    assert response["Location"] == "/manage/", "the shop's own owner logs in to its workspace"
    return client


def test_a_row_of_shop_a_is_absent_from_shop_b(shop, other_shop, alpha_secret):
    with schema_context(other_shop.schema_name):
        assert not User.objects.filter(email="secret@alpha.test").exists()
    with schema_context(shop.schema_name):
        assert User.objects.filter(email="secret@alpha.test").count() == 1


def test_shop_b_back_office_does_not_list_shop_a_users(shop, other_shop, alpha_secret):
    own = _owner_client(shop).get("/manage/settings/staff/")
    other = _owner_client(other_shop).get("/manage/settings/staff/")

    assert "secret@alpha.test" in own.content.decode()
    assert other.status_code == 200
    assert "secret@alpha.test" not in other.content.decode()
    _owner_client(other_shop).post(f"/manage/settings/staff/{alpha_secret.pk}/", {"action": "deactivate"})
    with schema_context(shop.schema_name):
        assert User.objects.get(pk=alpha_secret.pk).is_active


def test_shop_a_staff_cannot_log_in_to_shop_b_back_office(other_shop, alpha_secret):
    client = Client(HTTP_HOST=host_of(other_shop))
    response = client.post("/accounts/login/", {"login": "secret@alpha.test", "password": SHOP_PASSWORD})

    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert client.get("/manage/").status_code == 302


def test_a_session_of_shop_a_is_worthless_on_shop_b(shop, other_shop):
    client = _owner_client(shop)
    cookie = client.cookies["sessionid"].value
    intruder = Client(HTTP_HOST=host_of(other_shop))
    intruder.cookies["sessionid"] = cookie

    assert intruder.get("/manage/").status_code == 302
    assert intruder.get("/manage/")["Location"].startswith("/accounts/login/")


def test_platform_admins_are_unknown_to_shops(shop):
    User.objects.create_superuser("root@platform.test", SHOP_PASSWORD)
    client = Client(HTTP_HOST=host_of(shop))
    client.post("/accounts/login/", {"login": "root@platform.test", "password": SHOP_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_unknown_hosts_get_404_never_another_shop(db):
    for host in ("nope.localhost", "alpha.example.com", "testserver"):
        assert Client(HTTP_HOST=host).get("/").status_code == 404


def test_cache_keys_are_per_schema(shop, other_shop):
    with schema_context(shop.schema_name):
        cache.set("greeting", "alpha")
    with schema_context(other_shop.schema_name):
        assert cache.get("greeting") is None
        cache.set("greeting", "beta")
    with schema_context(shop.schema_name):
        assert cache.get("greeting") == "alpha"
    assert cache.get("greeting") is None
    assert connection.schema_name == "public"


def test_the_shop_back_office_offers_no_platform_tables(shop, other_shop):
    """Public tables stay on a shop connection's search path: no page of the shop shows them."""
    client = _owner_client(shop)
    for url in ("/manage/", "/manage/settings/", "/manage/settings/staff/", "/settlements/"):
        page = client.get(url).content.decode()
        assert "Beta Pets" not in page and "owner@beta.test" not in page, url
    assert client.get("/admin/tenants/shop/").status_code == 404
