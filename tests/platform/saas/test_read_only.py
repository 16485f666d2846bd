"""An unpaid shop's back office is read-only for staff; customers and background work are never punished."""
import pytest
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.billing.enums import AttemptStatus, PeriodStatus
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.debits import period_collect
from pawpact.core.clock import FixedClock
from pawpact.customers.models import Customer, Pet
from pawpact.platform.enums import SubscriptionStatus
from pawpact.platform.models import ShopSubscription
from pawpact.platform.saas.services import subscription_payment_method_set
from pawpact.platform.tasks import saas_billing_run_task
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create
from tests.conftest import SHOP_PASSWORD, api_register, host_of
from tests.platform.saas.conftest import owner_browser, staff_browser, travel
from tests.storefront.test_my_plans import active_basic_contract, customer_with_login

UNPAID = "This shop&#x27;s subscription is unpaid"


@pytest.fixture
def read_only(subscribed, shop):
    """alpha after its trial ended unpaid and the grace period ran out (the real path)."""
    subscription_payment_method_set(shop=shop, rail="sandbox", token="tok_insufficient_funds")
    for day in range(15, 24):
        with travel(2026, 3, day):
            saas_billing_run_task()
    assert ShopSubscription.objects.get(shop=shop).status == SubscriptionStatus.READ_ONLY
    return shop


def _customer_count(shop) -> int:
    with schema_context(shop.schema_name):
        return Customer.objects.count()


def test_staff_writes_to_the_back_office_are_refused_with_a_page_reads_still_work(read_only, shop):
    office = owner_browser(shop)  # logging in is not a write to the shop's data
    assert office.get("/manage/").status_code == 200
    assert office.get("/manage/customers/").status_code == 200
    before = _customer_count(shop)

    response = office.post("/manage/signings/new/", {"name": "Wang Fang", "phone": "13800009999", "birth_date": "1990-01-01"})

    assert response.status_code == 403
    html = response.content.decode()
    assert UNPAID in html and "/billing/saas/" in html
    assert _customer_count(shop) == before
    assert office.post("/accounts/logout/").status_code == 302


def test_the_same_write_goes_through_while_the_shop_is_paid_up(subscribed, shop):
    office = owner_browser(shop)
    response = office.post("/manage/signings/new/", {})
    assert response.status_code == 200  # the form answers (with its errors): not refused


def test_staff_api_writes_are_refused_in_the_api_error_shape_reads_still_work(read_only, shop, shop_staff):
    staff_api = APIClient(HTTP_HOST=host_of(shop))
    staff_api.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    assert staff_api.get("/api/v1/customers").status_code == 200
    before = _customer_count(shop)

    response = staff_api.post(
        "/api/v1/customers", {"name": "Wang Fang", "phone": "+8613800009999", "birth_date": "1990-01-01"}, format="json"
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "subscription_unpaid"
    assert body["message"].startswith("This shop's subscription is unpaid")
    assert body["fields"] == {}
    assert _customer_count(shop) == before
    # The same staff member with a session is refused too.
    by_session = staff_browser(shop, shop_staff).post("/api/v1/customers", {})
    assert (by_session.status_code, by_session.json()["code"]) == (403, "subscription_unpaid")


def test_customers_keep_using_the_api(read_only, shop):
    anonymous = APIClient(HTTP_HOST=host_of(shop))
    body = {"email": "adopter@example.com", "password": SHOP_PASSWORD, "name": "Li Na",
            "phone": "13900001111", "birth_date": "1990-01-01"}  # fmt: skip
    registered = api_register(anonymous, body)
    assert registered.status_code == 201, registered.content
    customer = APIClient(HTTP_HOST=host_of(shop))
    customer.credentials(HTTP_AUTHORIZATION=f"Token {registered.json()['token']}")
    pet = customer.post("/api/v1/pets", {"name": "Mimi", "species": "cat"}, format="json")
    assert pet.status_code == 201, pet.content
    with schema_context(shop.schema_name):
        assert Pet.objects.filter(name="Mimi", owner__name="Li Na").count() == 1


def test_a_customer_can_sign_in_and_see_their_plans(read_only, shop):
    customer = customer_with_login(shop)
    active_basic_contract(shop, customer, pet_name="Mimi")
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        email = customer.user.email
    login = browser.post("/accounts/login/", {"login": email, "password": SHOP_PASSWORD})
    assert login.status_code == 302
    page = browser.get("/my/plans/")
    assert page.status_code == 200
    assert "Basic · Mimi" in page.content.decode()


def test_a_read_only_shop_still_collects_a_due_debit(read_only, shop):
    with schema_context(shop.schema_name):
        contract = contract_create()
        period = DebitPeriod.objects.get(contract=contract, number=1)
        attempt = period_collect(period=period, clock=FixedClock(SIGNING_DAY_NOON))
        period.refresh_from_db()
        assert attempt.status == AttemptStatus.SUCCEEDED
        assert period.status == PeriodStatus.PAID


def test_the_owner_reaches_the_billing_page_and_paying_unlocks_the_back_office(read_only, shop):
    office = owner_browser(shop)
    page = office.get("/billing/saas/")
    assert page.status_code == 200
    assert "Read-only (unpaid)" in page.content.decode()

    with travel(2026, 3, 25):
        saved = office.post("/billing/saas/payment-method/", {"rail": "sandbox", "token": "tok_success"})
        assert saved.status_code == 302
        paid = office.post("/billing/saas/pay/")
        assert paid.status_code == 302
    assert ShopSubscription.objects.get(shop=shop).status == SubscriptionStatus.ACTIVE
    response = office.post("/manage/signings/new/", {})
    assert response.status_code == 200  # writes work again


def test_other_shops_are_not_affected(read_only, other_shop):
    office = owner_browser(other_shop)
    assert office.post("/manage/signings/new/", {}).status_code == 200
