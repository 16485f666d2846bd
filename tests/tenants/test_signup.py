import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists

from pawpact.accounts.models import User
from pawpact.tenants import services
from pawpact.tenants.enums import ShopState
from pawpact.tenants.errors import SlugTaken
from pawpact.tenants.models import Domain, LoginHandoff, Shop
from tests.conftest import SHOP_PASSWORD

GOOD = {
    "shop_name": "Sunny Paws",
    "slug": "sunny-paws",
    "owner_name": "Zhang San",
    "email": "zhang@sunny.test",
    "phone": "+8613800001234",
    "password1": "a-long-good-password",
    "password2": "a-long-good-password",
}


def _counts() -> tuple[int, int, int]:
    return Shop.objects.count(), Domain.objects.count(), User.objects.count()


def test_signup_provisions_the_shop_and_lands_logged_in_in_its_back_office(public_client, client):
    response = public_client.post("/signup/", GOOD)

    assert response.status_code == 302
    assert response["Location"].startswith("http://sunny-paws.localhost/handoff/")
    shop = Shop.objects.get(slug="sunny-paws")
    assert (shop.name, shop.state, shop.schema_name) == ("Sunny Paws", ShopState.ACTIVE, "shop_sunny_paws")
    assert shop.owner.email == "zhang@sunny.test"
    assert (shop.owner.name, shop.owner.phone) == ("Zhang San", "+8613800001234")
    assert list(shop.domains.values_list("domain", flat=True)) == ["sunny-paws.localhost"]
    assert schema_exists("shop_sunny_paws")
    with schema_context("shop_sunny_paws"):
        admin = User.objects.get()
        assert (admin.email, admin.is_staff, admin.is_superuser) == ("zhang@sunny.test", True, True)
        assert admin.check_password("a-long-good-password")

    shop_browser = client.__class__(HTTP_HOST="sunny-paws.localhost")
    handoff = shop_browser.get(response["Location"].removeprefix("http://sunny-paws.localhost"))
    assert handoff.status_code == 302 and handoff["Location"] == "/manage/"
    back_office = shop_browser.get("/manage/")
    assert back_office.status_code == 200
    assert "zhang@sunny.test" in back_office.content.decode() or "Zhang San" in back_office.content.decode()


def test_a_login_ticket_works_once_and_only_on_its_own_shop(public_client, shop, other_shop, client):
    response = public_client.post("/signup/", GOOD)
    path = response["Location"].removeprefix("http://sunny-paws.localhost")

    elsewhere = client.__class__(HTTP_HOST=other_shop.get_primary_domain().domain).get(path)
    assert elsewhere.status_code == 400

    browser = client.__class__(HTTP_HOST="sunny-paws.localhost")
    assert browser.get(path).status_code == 302
    assert client.__class__(HTTP_HOST="sunny-paws.localhost").get(path).status_code == 400
    assert LoginHandoff.objects.filter(used_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "Use 3 to 40 characters."),
        ("a" * 41, "Use 3 to 40 characters."),
        ("Sunny", "Use only lowercase letters, digits and hyphens."),
        ("sunny_paws", "Use only lowercase letters, digits and hyphens."),
        ("sunny paws", "Use only lowercase letters, digits and hyphens."),
        ("宠物店", "Use only lowercase letters, digits and hyphens."),
        ("-sunny", "Do not start or end with a hyphen."),
        ("sunny-", "Do not start or end with a hyphen."),
        ("www", "This address is reserved."),
        ("api", "This address is reserved."),
        ("admin", "This address is reserved."),
        ("platform", "This address is reserved."),
        ("alpha", "This address is taken."),
    ],
)
def test_every_slug_rule_is_enforced_next_to_the_field(public_client, shop, slug, message):
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, "slug": slug})

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [message]
    assert _counts() == before


@pytest.mark.parametrize("slug", ["abc", "a" * 40, "pet-shop-42", "42pets"])
def test_slugs_within_the_rules_are_accepted(public_client, slug):
    response = public_client.post("/signup/", {**GOOD, "slug": slug})
    assert response.status_code == 302
    assert Shop.objects.filter(slug=slug).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shop_name", ""),
        ("shop_name", "   "),
        ("owner_name", ""),
        ("email", "not-an-email"),
        ("phone", "12ab"),
        ("phone", ""),
        ("password2", "something-else-entirely"),
    ],
)
def test_every_signup_field_is_validated_next_to_the_field(public_client, field, value):
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, field: value})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert _counts() == before


def test_a_weak_password_is_refused(public_client):
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert _counts() == before


def test_a_registered_email_is_refused(public_client, shop):
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, "email": shop.owner.email})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["A user is already registered with this email address."]
    assert _counts() == before


def test_provisioning_that_fails_part_way_leaves_nothing_and_says_why(public_client, monkeypatch):
    def create_schema_then_fail(schema_name):
        real_create(schema_name)
        assert schema_exists(schema_name)  # the failure comes after the schema exists
        raise RuntimeError("disk full")

    real_create = services.schema_create_from_template
    monkeypatch.setattr(services, "schema_create_from_template", create_schema_then_fail)
    before = _counts()

    response = public_client.post("/signup/", GOOD)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["Your shop could not be set up (RuntimeError). Nothing was saved; please try again."]
    assert _counts() == before
    assert not schema_exists("shop_sunny_paws")
    assert not LoginHandoff.objects.exists()


def test_provisioning_failure_in_the_shop_schema_rolls_back_too(shop, monkeypatch):
    owner = User.objects.create_user("late@owner.test", SHOP_PASSWORD)
    monkeypatch.setattr(services, "_shop_administrator_create", _raise_integrity)
    before = _counts()

    with pytest.raises(services.ProvisioningFailed):
        services.shop_provision(name="Late", slug="late-shop", owner=owner)

    assert _counts() == before
    assert not schema_exists("shop_late_shop")
    assert connection.schema_name == "public"


def _raise_integrity(**kwargs):
    from django.db import IntegrityError

    raise IntegrityError("duplicate key in the shop schema")


def test_of_two_simultaneous_signups_for_one_slug_exactly_one_wins(shop):
    """Real concurrent transactions on two connections; the unique index decides."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(number: int) -> None:
        try:
            owner = User.objects.create_user(f"racer{number}@race.test", SHOP_PASSWORD)
            barrier.wait(timeout=10)
            services.shop_provision(name=f"Racer {number}", slug="race-shop", owner=owner)
            outcomes.append("won")
        except SlugTaken as error:
            outcomes.append(error.fields["slug"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["This address is taken.", "won"]
        assert Shop.objects.filter(slug="race-shop").count() == 1
        assert Domain.objects.filter(domain="race-shop.localhost").count() == 1
        assert User.objects.filter(email__endswith="@race.test").count() == 2
    finally:
        cleaner = threading.Thread(target=_drop_committed_race_shop)
        cleaner.start()
        cleaner.join()


def _drop_committed_race_shop() -> None:
    """The threads committed for real, outside the test's transaction: undo it by hand.

    Raw SQL, because the ORM's cascade would look for shop-only tables (API tokens)
    in the public schema.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM tenants_shopevent WHERE shop_id IN (SELECT id FROM tenants_shop WHERE slug = 'race-shop');"
                "DELETE FROM tenants_domain WHERE domain = 'race-shop.localhost';"
                "DELETE FROM tenants_shop WHERE slug = 'race-shop';"
                "DELETE FROM account_emailaddress WHERE email LIKE '%@race.test';"
                "DELETE FROM accounts_user WHERE email LIKE '%@race.test';"
                'DROP SCHEMA IF EXISTS "shop_race_shop" CASCADE;'
            )
    finally:
        connections.close_all()


def test_signup_is_closed_on_shop_hosts(shop_client):
    before = _counts()
    response = shop_client.post("/accounts/signup/", GOOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign up as a customer" in page and 'href="/join/signup/"' in page and "Sign Up Closed" not in page
    assert _counts() == before


def test_allauth_pages_use_the_pawpact_frame_with_a_language_switch(public_client):
    page = public_client.get("/accounts/login/").content.decode()
    assert 'name="language"' in page and "Pawpact" in page


def test_the_signup_form_offers_the_seeded_plans_and_writes_nothing(public_client):
    with CaptureQueriesContext(connection) as queries:
        response = public_client.get("/signup/")
    assert response.status_code == 200
    assert [code for code, _label in response.context["form"].fields["saas_plan"].choices if code] == [
        "starter",
        "growth",
    ]
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_the_language_of_the_signup_carries_to_the_shops_host(public_client, client):
    public_client.cookies["django_language"] = "zh-hans"
    response = public_client.post("/signup/", GOOD)
    assert response["Location"].endswith("/?lang=zh-hans")

    shop_browser = client.__class__(HTTP_HOST="sunny-paws.localhost")
    shop_browser.get(response["Location"].removeprefix("http://sunny-paws.localhost"))

    assert shop_browser.cookies["django_language"].value == "zh-hans"
    assert 'lang="zh-hans"' in shop_browser.get("/manage/").content.decode()
