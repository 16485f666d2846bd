"""Customers, contracts and collections pages: lists, filters, exports, actions, roles, isolation."""
import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
import time_machine
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, PlanVersion
from pawpact.billing.services.remote_signing import signing_code_send, signing_link_issue, signing_pay, signing_sign
from pawpact.billing.services.signing import application_create, application_credit_check
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, pet_create
from pawpact.messaging.models import Message
from pawpact.workspace.enums import Role
from pawpact.workspace.selectors.overview import overview_today
from tests.workspace.conftest import client_for, staff_user
from tests.consent import consented

pytestmark = pytest.mark.django_db


def active_contract(shop, customer, pet) -> Contract:
    """A contract signed on the customer's phone and started (period 1 paid)."""
    with schema_context(shop.schema_name):
        version = PlanVersion.objects.order_by("monthly_price_minor").first()
        contract = application_credit_check(contract=consented(application_create(customer=customer, pet=pet, plan_version_id=version.pk)))
        link = signing_link_issue(contract=contract, staff=None)
        signing_code_send(link=link)
        code = re.search(r"\d{6}", Message.objects.filter(topic="signing_code").latest("id").body).group(0)
        signing_sign(link=link, code=code, ip="203.0.113.9", user_agent="test")
        return signing_pay(link=link, rail="sandbox", token="tok_success")


def test_contract_list_filters_and_exports_what_it_shows(shop, owner_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    with schema_context(shop.schema_name):
        other = customer_create(name="Li Lei", phone="13800138111", birth_date=date(1985, 1, 1))
        application_create(customer=other, pet=pet_create(name="Wangcai", species="dog", owner=other),
                           plan_version_id=PlanVersion.objects.order_by("monthly_price_minor").first().pk)  # fmt: skip
    page = owner_client.get("/manage/contracts/?status=active", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wang Fang" in page and "Li Lei" not in page
    response = owner_client.get("/manage/contracts/?status=active&export=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == str(contract.uuid) and rows[1][5] == "Active"
    assert rows[1][7] == "399.00" and rows[1][9] == str(399 * 12) + ".00"
    response = owner_client.get("/manage/contracts/?q=Li&export=xlsx")
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 2 and sheet.cell(2, 2).value == "Li Lei"


def test_contract_page_shows_the_timeline_and_version(shop, owner_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    page = owner_client.get(f"/manage/contracts/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Signed with the SMS code from 203.0.113.9" in page
    assert "Period 1 debited: ¥399.00" in page
    assert re.search(r"v1\b", page)


def test_cooling_off_cancel_refunds_everything_and_clerk_may_not(shop, owner_client, clerk_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    assert clerk_client.post(f"/manage/contracts/{contract.uuid}/cooling-off/").status_code == 403
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
    assert owner_client.post(f"/manage/contracts/{contract.uuid}/cooling-off/").status_code == 302
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.CANCELLED_COOLING_OFF
        assert contract.termination.refund_minor == 39900 and contract.termination.penalty_minor == 0


def test_todays_collected_debits_leave_out_a_debit_refunded_in_cooling_off(shop, owner_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    with schema_context(shop.schema_name):
        today = overview_today()
        assert (today.debits_succeeded, today.debits_succeeded_minor) == (1, 39900)
    owner_client.post(f"/manage/contracts/{contract.uuid}/cooling-off/")
    with schema_context(shop.schema_name):
        today = overview_today()
        assert (today.debits_succeeded, today.debits_succeeded_minor) == (0, 0)


def test_early_termination_shows_the_quote_before_anything_is_charged(shop, manager_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    with time_machine.travel(timezone.now() + timedelta(days=10)):  # after the 7 cooling-off days
        response = manager_client.post(f"/manage/contracts/{contract.uuid}/quote/")
        assert response.status_code == 302 and "?quote=" in response["Location"]
        with schema_context(shop.schema_name):
            assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
        page = manager_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "penalty ¥438.90 (10%)" in page  # 10% of 11 × ¥399.00
    assert "Confirm early termination as quoted" in page
    assert "End this contract early and charge the penalty as quoted?" in page


def test_a_quote_in_the_cooling_off_period_is_the_free_cancellation(shop, manager_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    response = manager_client.post(f"/manage/contracts/{contract.uuid}/quote/")
    page = manager_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "penalty ¥0.00 (0%)" in page and "cancelling is free, with no penalty" in page
    assert "Confirm the free cancellation as quoted" in page
    assert "Cancel this contract free of charge and refund everything paid?" in page and "charge the penalty" not in page
    quote = re.search(r'name="quote" value="(\d+)"', page).group(1)

    done = manager_client.post(f"/manage/contracts/{contract.uuid}/terminate/", {"quote": quote})

    assert done.status_code == 302
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.CANCELLED_COOLING_OFF
        assert (contract.termination.penalty_minor, contract.termination.refund_minor) == (0, 39900)


def test_customer_phone_edit_and_pet_owner_change(shop, owner_client, adopter):
    customer, pet = adopter
    with schema_context(shop.schema_name):
        own = pet_create(name="Doudou", species="dog", owner=customer)
        other = customer_create(name="Li Lei", phone="13800138111", birth_date=date(1985, 1, 1))
    response = owner_client.post(f"/manage/customers/{customer.uuid}/", {"name": "Wang Fang", "phone": "13800138111"})
    assert response.status_code == 200
    with schema_context(shop.schema_name):
        assert Customer.objects.get(pk=customer.pk).phone == "13800138999"
    owner_client.post(f"/manage/customers/{customer.uuid}/", {"name": "Wang Fang", "phone": "139 0013 8999"})
    assert owner_client.post(f"/manage/pets/{own.uuid}/owner/", {"phone": "13800138111"}).status_code == 302
    with schema_context(shop.schema_name):
        assert Customer.objects.get(pk=customer.pk).phone == "13900138999"
        assert Pet.objects.get(pk=own.pk).owner_id == other.pk


def test_customer_list_segments_and_export(shop, owner_client, adopter):
    customer, pet = adopter
    active_contract(shop, customer, pet)
    with schema_context(shop.schema_name):
        customer_create(name="Li Lei", phone="13800138111", birth_date=date(1985, 1, 1))
    page = owner_client.get("/manage/customers/?segment=new", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Li Lei" in page and "Wang Fang" not in page
    response = owner_client.get("/manage/customers/?segment=active&export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in sheet[2]][:6] == ["Wang Fang", "13800138999", None, "Not verified", "Current", 1]


PAGES = ["/manage/", "/manage/signings/", "/manage/customers/", "/manage/contracts/", "/manage/collections/"]


def test_another_shops_staff_see_nothing_of_this_shop(shop, other_shop, owner_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    beta_owner = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    for url in PAGES:
        response = beta_owner.get(url)
        assert response.status_code == 200, url
        assert "Wang Fang" not in response.content.decode(), url
    for url in (f"/manage/contracts/{contract.uuid}/", f"/manage/customers/{customer.uuid}/",
                f"/manage/signings/{contract.uuid}/"):  # fmt: skip
        assert beta_owner.get(url).status_code == 404, url
    assert beta_owner.post(f"/manage/contracts/{contract.uuid}/cooling-off/").status_code == 404
    export = beta_owner.get("/manage/contracts/?export=csv")
    assert b"Wang Fang" not in b"".join(export.streaming_content)
    # A session of one shop is not a session on the other shop's host.
    alpha_session = owner_client.cookies
    intruder = client_for(other_shop)
    intruder.cookies = alpha_session
    assert intruder.get("/manage/").status_code == 302


@pytest.mark.parametrize("url", PAGES[1:])
def test_list_pages_stay_within_twenty_queries(shop, owner_client, adopter, page_queries, url):
    customer, pet = adopter
    active_contract(shop, customer, pet)
    owner_client.get(url)
    with page_queries() as queries:
        assert owner_client.get(url).status_code == 200
    assert queries.count <= 20, queries.count


def test_signings_export_what_the_list_shows(shop, owner_client, adopter):
    active_contract(shop, *adopter)
    response = owner_client.get("/manage/signings/?state=active&export=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1:4] == ["Wang Fang", "13800138999", "Mimi"] and rows[1][7] == "Active"
    assert rows[1][5] == "399.00" and rows[1][6] == "4788.00"
