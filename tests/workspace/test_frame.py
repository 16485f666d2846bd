"""The frame: who gets in, the menu, the landing after login, the overview's figures."""
import pytest
from django_tenants.utils import schema_context

from pawpact.workspace.enums import Role
from tests.conftest import SHOP_PASSWORD
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(shop_client):
    response = shop_client.get("/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/manage/")


def test_a_customer_gets_a_403_page_not_the_workspace(shop):
    from datetime import date

    from pawpact.accounts.models import User
    from pawpact.customers.services import customer_create

    with schema_context(shop.schema_name):
        user = User.objects.create_user("buyer@alpha.test", SHOP_PASSWORD)
        customer_create(name="Buyer", phone="13900000001", birth_date=date(1990, 1, 1), user=user)
    response = client_for(shop, user).get("/manage/")
    assert response.status_code == 403
    assert b"ws-menu" not in response.content


def test_owner_sees_every_area_in_business_terms(owner_client):
    response = owner_client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    menu = [item["label"] for item in response.wsgi_request.workspace_menu]
    assert [str(label) for label in menu] == [
        "Overview", "Signings", "Customers & pets", "Pets & adoptions", "Contracts", "Debits & collections", "Plans",
        "Catalog", "Orders & parcels", "Members", "Marketing", "Bookings", "Complaints", "Service partners", "Settlements & funding",
        "Insights", "Settings", "Webhooks",
    ]  # fmt: skip
    assert b"/admin/" not in response.content


def test_menu_and_pages_in_chinese(owner_client):
    owner_client.cookies["django_language"] = "zh-hans"
    response = owner_client.get("/manage/")
    text = response.content.decode()
    for label in ("概况", "签约", "顾客与宠物", "合同", "扣款与催收"):
        assert label in text


def test_clerk_does_not_see_the_owner_areas(clerk_client):
    response = clerk_client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en")
    menu = [str(item["label"]) for item in response.wsgi_request.workspace_menu]
    assert "Settlements & funding" not in menu and "Settings" not in menu and "Plans" in menu


def test_login_on_the_shop_host_lands_staff_in_the_workspace(shop, shop_client):
    response = shop_client.post("/accounts/login/", {"login": shop.owner.email, "password": SHOP_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/manage/"


def test_login_handoff_opens_the_workspace(shop, public_client):
    public_client.force_login(shop.owner)
    response = public_client.post(f"/shops/{shop.slug}/open/")
    assert response.status_code == 302
    handoff = response["Location"]
    assert handoff.startswith(f"http://{shop.slug}.localhost")
    shop_response = client_for(shop).get(handoff.split(":", 2)[-1].split("/", 1)[-1].join(["/", ""]))
    assert shop_response.status_code == 302 and shop_response["Location"] == "/manage/"


def test_public_home_offers_the_owners_shops_only(shop, other_shop, public_client):
    public_client.force_login(shop.owner)
    text = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shop.name in text and other_shop.name not in text
    assert public_client.post(f"/shops/{other_shop.slug}/open/").status_code == 404


def test_overview_stays_within_twenty_queries(owner_client, page_queries):
    owner_client.get("/manage/")  # warm the session and the shop lookups
    with page_queries() as queries:
        response = owner_client.get("/manage/")
    assert queries.count <= 20, queries.count
    assert response.status_code == 200
    assert b"echarts.min.js" in response.content and b"cdn" not in response.content.lower()


def test_role_row_makes_a_manager(shop):
    from pawpact.workspace.roles import role_of

    with schema_context(shop.schema_name):
        manager = staff_user(shop, Role.MANAGER)
        assert role_of(manager) == Role.MANAGER


@pytest.mark.parametrize("url, current", [
    ("/settlements/", "Settlements & funding"), ("/insights/", "Insights"), ("/billing/saas/", "Settings"),
    ("/manage/catalog/", "Catalog"), ("/manage/parcels/", "Orders & parcels"),
])  # fmt: skip
def test_settlements_insights_and_subscription_keep_the_workspace_menu(owner_client, url, current):
    response = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="ws-menu"' in html and "/manage/contracts/" in html
    assert f'class="current" aria-current="page">{current}</a>'.replace("&", "&amp;") in html
    assert "/admin/" not in html


def test_a_clerk_gets_no_settlements(clerk_client):
    assert clerk_client.get("/settlements/").status_code == 403
