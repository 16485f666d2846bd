"""What the busiest API operations cost in SQL statements, pinned: the same for a page of 5
as for a page of 50 (nothing read per row), and a draft contract read and checked once."""
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, PaymentMethod, PlanVersion
from pawpact.billing.services.signing import application_create, plan_version_offered
from pawpact.customers.models import Customer, Pet
from pawpact.payments.enums import Rail
from tests.api.test_billing_api import api, ok


@pytest.fixture
def staff(shop, shop_staff):
    client = api(shop, shop_staff.api_token)
    # The first request with a query string builds the API schema its check reads (a web
    # process builds it at start-up): not a cost of the operations measured here.
    client.get("/api/v1/customers?page_size=1")
    return client


def _statements(client, url: str, **extra) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url, **extra)
    return [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith("SET SEARCH_PATH")], answer


def _customers(shop, count: int) -> list[Customer]:
    with schema_context(shop.schema_name):
        return Customer.objects.bulk_create(
            Customer(name=f"Customer {i}", phone=f"1380013{i:04d}", birth_date=date(1990, 1, 1), metadata={"n": str(i)})
            for i in range(count)
        )  # fmt: skip


def _contracts(shop, count: int) -> None:
    """`count` active contracts, each with its customer, pet and saved payment method."""
    customers = _customers(shop, count)
    with schema_context(shop.schema_name):
        version = PlanVersion.objects.filter(plan__code="basic").order_by("-version").first()
        pets = Pet.objects.bulk_create(Pet(owner=c, name=f"Pet {c.pk}", species="cat") for c in customers)
        methods = PaymentMethod.objects.bulk_create(
            PaymentMethod(customer=c, rail=Rail.SANDBOX, token=f"tok_{c.pk}", label="Visa 4242") for c in customers
        )
        Contract.objects.bulk_create(
            Contract(customer=c, pet=p, plan_version=version, status=ContractStatus.ACTIVE, payment_method=m,
                     monthly_amount_minor=version.monthly_price_minor, periods=version.periods,
                     total_minor=version.total_minor, agreement_text="条款 " * 2000, credit_evidence="x" * 500)
            for c, p, m in zip(customers, pets, methods, strict=True)
        )  # fmt: skip


def test_a_customer_page_of_50_costs_the_statements_of_a_page_of_5(shop, staff):
    _customers(shop, 60)
    five, answer_5 = _statements(staff, "/api/v1/customers?page_size=5")
    fifty, answer_50 = _statements(staff, "/api/v1/customers?page_size=50")
    assert len(ok(answer_5)["results"]) == 5 and len(ok(answer_50)["results"]) == 50
    assert ok(answer_50)["results"][:5] == ok(answer_5)["results"]
    # The host's shop, the token's device with its user, the page.
    assert len(five) == len(fifty) == 3, fifty
    assert "customers_customer" in fifty[2] and "LIMIT 51" in fifty[2]
    searched, answer = _statements(staff, "/api/v1/customers?search=Customer&page_size=50")
    assert len(ok(answer)["results"]) == 50 and len(searched) == 3


def test_a_contract_page_of_50_costs_the_statements_of_a_page_of_5_without_the_agreements(shop, staff):
    _contracts(shop, 55)
    five, answer_5 = _statements(staff, "/api/v1/contracts?page_size=5")
    fifty, answer_50 = _statements(staff, "/api/v1/contracts?page_size=50")
    rows = ok(answer_50)["results"]
    assert len(rows) == 50 and rows[:5] == ok(answer_5)["results"]
    assert {(row["status"], row["payment_method"], row["plan_code"]) for row in rows} == {("active", "Visa 4242", "basic")}
    assert all(row["payment_method_id"].startswith("paymethod_") for row in rows)
    assert len(five) == len(fifty) == 3, fifty
    # The list leaves each agreement (4 kB here) and credit evidence in the database.
    assert "agreement_text" not in fifty[2] and "credit_evidence" not in fifty[2] and "entitlements" not in fifty[2]
    expanded, answer = _statements(staff, "/api/v1/contracts?page_size=50&expand[]=customer&expand[]=pet&expand[]=plan")
    body = ok(answer)["results"]
    assert len(expanded) == 4  # and the plans' versions
    assert body[0]["plan"]["current_version"]["entitlements"] and body[0]["customer"]["metadata"]


def test_a_contract_read_alone_still_has_everything(shop, staff):
    _contracts(shop, 1)
    with schema_context(shop.schema_name):
        contract = Contract.objects.get()
    sql, answer = _statements(staff, f"/api/v1/contracts/{contract.uuid}")
    assert ok(answer)["payment_method"] == "Visa 4242" and len(sql) == 3


def test_a_draft_contract_reads_its_plan_version_once(shop, staff):
    customer = ok(staff.post("/api/v1/customers", {"name": "Li Na", "phone": "13800138000", "birth_date": "1990-01-01"},
                             format="json"), 201)  # fmt: skip
    pet = ok(staff.post("/api/v1/pets", {"name": "Mimi", "species": "cat", "owner_uuid": customer["uuid"]}, format="json"), 201)
    version_id = ok(staff.get("/api/v1/plans?code=basic"))["results"][0]["current_version"]["id"]
    body = {"customer_uuid": customer["uuid"], "pet_uuid": pet["uuid"], "plan_version_id": version_id}
    with CaptureQueriesContext(connection) as captured:
        answer = staff.post("/api/v1/contracts", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    created = ok(answer, 201)
    assert (created["status"], created["pet_uuid"], created["plan_code"]) == ("draft", pet["uuid"], "basic")
    sql = [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith("SET SEARCH_PATH")]
    # Shop, its read-only state, device, customer, pet, the version with its plan and the
    # plan's newest version, the shop's signing state and contract limit, the insert (in a
    # savepoint: the pet's one open contract is the unique index's to refuse).
    assert len(sql) == 11, sql
    assert len([s for s in sql if "billing_planversion" in s]) == 1
    again = staff.post("/api/v1/contracts", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert (again.status_code, again.json()["code"]) == (409, "pet_under_contract")
    with schema_context(shop.schema_name):
        assert Contract.objects.filter(pet__uuid=pet["uuid"]).count() == 1


def test_a_version_checked_for_another_id_is_checked_again(shop):
    with schema_context(shop.schema_name):
        basic = plan_version_offered(PlanVersion.objects.filter(plan__code="basic").order_by("-version").first().pk)
        premium = PlanVersion.objects.filter(plan__code="premium").order_by("-version").first()
        customer = Customer.objects.create(name="Li Na", phone="13800138000", birth_date=date(1990, 1, 1))
        pet = Pet.objects.create(owner=customer, name="Mimi", species="cat")
        contract = application_create(customer=customer, pet=pet, plan_version_id=premium.pk, offered=basic)
        assert contract.plan_version_id == premium.pk and contract.monthly_amount_minor == premium.monthly_price_minor
