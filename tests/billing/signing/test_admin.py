"""The back office: staff see plans, customers, pets and contracts (read-only money), and
download the agreement PDF; the public site's admin does not show shop tables."""
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract, PlanVersion
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.signing import (
    application_create,
    application_credit_check,
    contract_attach_payment_method,
    contract_sign,
)
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, pet_create
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, phone_ending
from tests.conftest import SHOP_PASSWORD, host_of


def _back_office(shop) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    response = client.post("/admin/login/?next=/admin/", {"username": shop.owner.email, "password": SHOP_PASSWORD})
    assert response.status_code == 302
    return client


def _active_contract(shop, clock) -> Contract:
    with schema_context(shop.schema_name):
        basic = PlanVersion.objects.get(plan__code="basic")
        customer = customer_create(name="Wang Fang", phone=phone_ending("999"), birth_date=ADULT_BIRTH_DATE)
        pet = pet_create(owner=customer, name="Mimi", species="cat")
        contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
        application_credit_check(contract=contract, clock=clock)
        contract_sign(contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x", clock=clock)
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        contract_attach_payment_method(contract=contract, payment_method=method)
        return contract_activate(contract=contract, clock=clock)


def test_staff_browse_billing_and_download_the_agreement(shop, clock):
    contract = _active_contract(shop, clock)
    office = _back_office(shop)

    index = office.get("/admin/").content.decode()
    for listed in ("/admin/billing/plan/", "/admin/billing/contract/", "/admin/customers/customer/"):
        assert listed in index
    plans = office.get("/admin/billing/plan/").content.decode()
    assert "Basic 基础款" in plans and "¥399.00" in plans
    page = office.get(f"/admin/billing/contract/{contract.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥4,788.00" in html and contract.agreement_sha256 in html
    assert 'name="monthly_amount_minor"' not in html and 'name="_save"' not in html  # read-only
    assert html.count("¥399.00") >= 12  # the calendar inline
    pdf = office.get(f"/admin/billing/contract/{contract.pk}/agreement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and contract.agreement_sha256.encode() in pdf.content


def test_staff_add_customers_and_pets_through_the_services(shop):
    office = _back_office(shop)
    response = office.post(
        "/admin/customers/customer/add/",
        {"name": "Li Lei", "phone": "+86 139 0000 1234", "birth_date": "1990-01-02",
         "pet_set-TOTAL_FORMS": "0", "pet_set-INITIAL_FORMS": "0", "pets-TOTAL_FORMS": "0", "pets-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(shop.schema_name):
        customer = Customer.objects.get()
        assert customer.phone == "13900001234"

    duplicate = office.post(
        "/admin/customers/customer/add/",
        {"name": "Copy", "phone": "13900001234", "birth_date": "1990-01-02",
         "pets-TOTAL_FORMS": "0", "pets-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert duplicate.status_code == 200
    assert "This phone number is taken." in duplicate.content.decode()

    future = office.post(
        "/admin/customers/pet/add/", {"owner": customer.pk, "name": "Mimi", "species": "cat", "birthday": "2999-01-01"}
    )
    assert "This date cannot be in the future." in future.content.decode()
    assert office.post(
        "/admin/customers/pet/add/", {"owner": customer.pk, "name": "Mimi", "species": "cat"}
    ).status_code == 302
    with schema_context(shop.schema_name):
        assert list(Pet.objects.values_list("name", "owner_id")) == [("Mimi", customer.pk)]
        assert Customer.objects.count() == 1


def test_a_new_plan_version_is_added_through_the_service(shop):
    office = _back_office(shop)
    with schema_context(shop.schema_name):
        plan = PlanVersion.objects.get(plan__code="basic").plan
    form = office.get(f"/admin/billing/planversion/add/?plan={plan.pk}")
    assert 'value="39900"' in form.content.decode()  # prefilled with the current terms

    data = {
        "plan": plan.pk, "monthly_price_minor": "42900", "currency": "CNY", "periods": "12", "debit_day": "10",
        "entitlements": '[{"kind": "food", "item": "Food", "quantity": 1500, "unit": "g"}]',
        "scope_of_use": "仅用于宠粮 / food only", "deposit_minor": "50000", "penalty_rate": "0.11",
        "cooling_off_days": "7", "health_guarantee_days": "30", "fulfilment_rewards": "[]",
    }  # fmt: skip
    refused = office.post("/admin/billing/planversion/add/", data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["penalty_rate"] == [
        "The early termination penalty rate must be between 0 and 0.10 (at most 10% of the remaining amount)."
    ]
    with schema_context(shop.schema_name):
        assert plan.versions.count() == 1
    accepted = office.post("/admin/billing/planversion/add/", {**data, "penalty_rate": "0.08"})
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors
    with schema_context(shop.schema_name):
        assert list(plan.versions.order_by("version").values_list("version", "monthly_price_minor")) == [
            (1, 39900), (2, 42900),
        ]  # fmt: skip


def test_the_public_admin_does_not_show_shop_tables(db):
    from pawpact.accounts.models import User

    User.objects.create_superuser("root@platform.test", SHOP_PASSWORD)
    client = Client(HTTP_HOST="localhost")
    client.post("/admin/login/", {"username": "root@platform.test", "password": SHOP_PASSWORD})
    index = client.get("/admin/").content.decode()
    assert "/admin/billing/" not in index
    assert client.get("/admin/billing/contract/").status_code == 403


def test_a_plan_version_opens_read_only(shop):
    office = _back_office(shop)
    with schema_context(shop.schema_name):
        version = PlanVersion.objects.get(plan__code="basic")
    page = office.get(f"/admin/billing/planversion/{version.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "39900" in html and "Basic 基础款" in html
    assert 'name="monthly_price_minor"' not in html and 'name="_save"' not in html  # versions are immutable
