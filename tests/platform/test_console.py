import pytest
from django.test import Client
from django.utils import timezone

from pawpact.accounts.models import User
from pawpact.tenants.enums import ShopEventKind, ShopState
from pawpact.tenants.models import Shop, ShopEvent
from tests.conftest import SHOP_PASSWORD, host_of


@pytest.fixture
def platform_admin(db):
    return User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)


@pytest.fixture
def console(public_client, platform_admin):
    public_client.force_login(platform_admin)
    return public_client


def test_console_lists_shops_with_state_owner_and_created_date(console, shop, other_shop):
    response = console.get("/console/")

    assert response.status_code == 200
    listed = [s.slug for s in response.context["page"]]
    assert listed == ["beta", "alpha"]  # newest first, the public site's row excluded
    page = response.content.decode()
    created = timezone.localtime(shop.created_at).strftime("%Y-%m-%d")  # the page's day is Beijing's
    for expected in ("Alpha Pets", "alpha.localhost", "owner@alpha.test", created):
        assert expected in page


def test_console_filters_by_state(console, shop, other_shop):
    Shop.objects.filter(pk=other_shop.pk).update(state=ShopState.DEACTIVATED)
    response = console.get("/console/?state=deactivated")
    assert [s.slug for s in response.context["page"]] == ["beta"]


def test_console_is_for_platform_staff_only(public_client, shop):
    assert public_client.get("/console/").status_code == 302
    owner_browser = Client(HTTP_HOST="localhost")
    owner_browser.force_login(shop.owner)  # shop owners are public users, but not platform staff
    # Refused with the 403 page: sending a logged-in user to log in again would loop.
    assert owner_browser.get("/console/").status_code == 403


def test_console_is_not_served_on_shop_hosts(shop_client):
    assert shop_client.get("/console/").status_code == 404


def test_deactivate_closes_the_shop_and_reactivate_reopens_it(console, shop, platform_admin):
    response = console.post(f"/console/shops/{shop.pk}/deactivate/", {"reason": "unpaid"})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.state == ShopState.DEACTIVATED
    closed = Client(HTTP_HOST=host_of(shop)).get("/")
    assert closed.status_code == 403
    assert "This shop is closed" in closed.content.decode()
    api = Client(HTTP_HOST=host_of(shop)).get("/api/v1/health")
    assert (api.status_code, api["Content-Type"]) == (403, "application/json")
    assert api.json() == {"code": "shop_closed", "message": "This shop is closed.", "fields": {}}

    console.post(f"/console/shops/{shop.pk}/reactivate/")
    shop.refresh_from_db()
    assert shop.state == ShopState.ACTIVE
    assert Client(HTTP_HOST=host_of(shop)).get("/").status_code == 200
    events = list(ShopEvent.objects.filter(shop=shop).values_list("kind", "actor__email", "reason"))
    assert events[:2] == [
        (ShopEventKind.REACTIVATED, "ops@pawpact.test", ""),
        (ShopEventKind.DEACTIVATED, "ops@pawpact.test", "unpaid"),
    ]


def test_an_illegal_transition_is_refused_and_changes_nothing(console, shop):
    events_before = ShopEvent.objects.count()
    response = console.post(f"/console/shops/{shop.pk}/reactivate/", follow=True)

    shop.refresh_from_db()
    assert shop.state == ShopState.ACTIVE
    assert ShopEvent.objects.count() == events_before
    assert "A shop that is Active cannot become Active." in [str(m) for m in response.context["messages"]]


def test_unknown_actions_and_shops_are_404_and_get_is_refused(console, shop):
    assert console.post(f"/console/shops/{shop.pk}/delete/").status_code == 404
    assert console.post("/console/shops/999999/deactivate/").status_code == 404
    shop.refresh_from_db()
    assert shop.state == ShopState.ACTIVE


def test_deactivating_asks_first_and_needs_the_reason_the_owner_reads(console, shop):
    events_before = ShopEvent.objects.count()
    page = console.get(f"/console/shops/{shop.pk}/deactivate/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Reason, shown to the owner" in page.content.decode()
    refused = console.post(f"/console/shops/{shop.pk}/deactivate/", {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    shop.refresh_from_db()
    assert shop.state == ShopState.ACTIVE and ShopEvent.objects.count() == events_before

    console.post(f"/console/shops/{shop.pk}/deactivate/", {"reason": "Licence expired"})
    office = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    closed = office.get("/manage/")
    assert closed.status_code == 403 and "/accounts/login/?next=/billing/saas/" in closed.content.decode()
    login = office.post("/accounts/login/?next=/billing/saas/", {"login": shop.owner.email, "password": SHOP_PASSWORD,
                                                                 "next": "/billing/saas/"})  # fmt: skip
    assert login["Location"] == "/billing/saas/"
    billing = office.get("/billing/saas/").content.decode()
    assert "Reason: Licence expired" in billing and "support@localhost" in billing
    assert office.get("/manage/").status_code == 403  # the rest of the shop stays closed


def test_every_console_page_has_the_same_menu(console, shop):
    for url in ("/console/", "/console/funding/", "/console/outbox/", "/console/insights/",
                "/console/insights/ranking/", "/console/insights/reports/", "/console/subscriptions/"):  # fmt: skip
        html = console.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'class="console-nav"' in html, url
        for link in ("/console/funding/", "/console/insights/ranking/", "/console/subscriptions/"):
            assert f'href="{link}"' in html, (url, link)


def test_a_shop_still_provisioning_answers_with_a_clear_page(shop):
    Shop.objects.filter(pk=shop.pk).update(state=ShopState.PROVISIONING)
    response = Client(HTTP_HOST=host_of(shop)).get("/")
    assert response.status_code == 503
    assert "This shop is being set up" in response.content.decode()


def _migration_failed(shop) -> None:
    Shop.objects.filter(pk=shop.pk).update(migration_error="relation \"x\" already exists", migration_failed_at=timezone.now())


def test_console_marks_and_filters_shops_behind_a_failed_migration(console, shop, other_shop):
    _migration_failed(other_shop)

    listing = console.get("/console/", HTTP_ACCEPT_LANGUAGE="en")
    page = listing.content.decode()
    assert page.count("Maintenance: migration failed") == 2  # the filter link and beta's badge
    assert f"/console/shops/{other_shop.pk}/money/#maintenance" in page
    assert f"/console/shops/{shop.pk}/money/#maintenance" not in page
    filtered = console.get("/console/?state=maintenance")
    assert [s.slug for s in filtered.context["page"]] == ["beta"]


def test_console_shop_page_shows_the_migration_error_in_chinese(console, other_shop):
    _migration_failed(other_shop)
    console.cookies["django_language"] = "zh-hans"

    page = console.get(f"/console/shops/{other_shop.pk}/money/").content.decode()

    assert "维护中：迁移失败" in page and "relation &quot;x&quot; already exists" in page
    assert "migrate_platform" in page
