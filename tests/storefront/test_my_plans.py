"""The customer's page /my/plans/: every debit's date and amount, and the total cost, up front."""
import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, Plan
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.signing import (
    application_create,
    application_credit_check,
    contract_attach_payment_method,
    contract_sign,
)
from pawpact.core.clock import FixedClock
from pawpact.customers.services import customer_register, pet_create
from tests.conftest import SHOP_PASSWORD, host_of
from tests.consent import consented

# 10:00 in Beijing on Monday 16 March 2026: period 1 today, then the 10th of each month from
# 10 May (10 April is under the rails' 28-day minimum period away).
CLOCK = FixedClock(datetime(2026, 3, 16, 2, 0, tzinfo=UTC))
BASIC_DUE_DATES = [
    "2026-03-16", "2026-05-10", "2026-06-10", "2026-07-10", "2026-08-10", "2026-09-10",
    "2026-10-10", "2026-11-10", "2026-12-10", "2027-01-10", "2027-02-10", "2027-03-10",
]  # fmt: skip

_numbers = itertools.count(1)


def customer_with_login(shop):
    """A self-registered customer of `shop` (their login is a user of the shop's schema)."""
    number = next(_numbers)
    with schema_context(shop.schema_name):
        customer, _token = customer_register(
            email=f"page{number}@example.com",
            password=SHOP_PASSWORD,
            name=f"Page Adopter {number}",
            phone=f"138{number:05d}999",
            birth_date=date(1990, 5, 5),
            clock=CLOCK,
        )
    return customer


def active_basic_contract(shop, customer, pet_name: str):
    with schema_context(shop.schema_name):
        basic = Plan.objects.get(code="basic").versions.order_by("-version").first()
        pet = pet_create(owner=customer, name=pet_name, species="cat", clock=CLOCK)
        contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=CLOCK)
        application_credit_check(contract=consented(contract), clock=CLOCK)
        contract_sign(contract=contract, signer_name=customer.name, ip="203.0.113.7", user_agent="test", clock=CLOCK)
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        contract = contract_attach_payment_method(contract=contract, payment_method=method)
        return contract_activate(contract=contract, clock=CLOCK)


def browser_of(shop, customer) -> Client:
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):  # sessions live in the shop's schema
        browser.force_login(customer.user)
    return browser


@pytest.fixture
def adopter(shop):
    customer = customer_with_login(shop)
    active_basic_contract(shop, customer, pet_name="Mimi")
    return customer


def test_the_customer_sees_every_debit_date_and_amount_and_the_total(shop, adopter):
    response = browser_of(shop, adopter).get("/my/plans/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Basic · Mimi" in html
    assert "¥399.00 a month × 12 periods" in html
    assert "<dt>Total cost</dt><dd>¥4,788.00</dd>" in html
    for number, due_date in enumerate(BASIC_DUE_DATES, start=1):
        state = "Paid" if number == 1 else "Scheduled"
        assert f"<tr><td>{number} / 12</td><td>{due_date}</td><td>¥399.00</td><td>{state}</td></tr>" in html
    assert html.count("<td>¥399.00</td>") == 12


def test_another_customer_does_not_see_it(shop, adopter):
    someone_else = customer_with_login(shop)
    response = browser_of(shop, someone_else).get("/my/plans/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mimi" not in html
    assert "¥4,788.00" not in html
    assert "<td>¥399.00</td>" not in html
    assert "You have no plan yet." in html


def test_each_customer_sees_only_their_own_plans(shop, adopter):
    someone_else = customer_with_login(shop)
    active_basic_contract(shop, someone_else, pet_name="Bobo")
    html = browser_of(shop, someone_else).get("/my/plans/").content.decode()
    assert "Basic · Bobo" in html
    assert "Mimi" not in html
    assert html.count("<td>¥399.00</td>") == 12


def test_anonymous_visitors_are_sent_to_log_in(shop, adopter):
    response = Client(HTTP_HOST=host_of(shop)).get("/my/plans/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my/plans/"


def test_ending_the_plan_in_the_cooling_off_period_is_free(shop, adopter):
    browser = browser_of(shop, adopter)
    with schema_context(shop.schema_name):
        contract = Contract.objects.get(customer=adopter)
    url = f"/my/plans/{contract.uuid}/end/"
    with time_machine.travel(CLOCK.now() + timedelta(hours=1), tick=False):
        page = browser.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "You are within the cooling-off period (until 2026-03-23): cancelling is free, with no penalty." in page
        assert "Cancel my plan for free" in page and "pay the penalty" not in page
        quote = re.search(r'name="quote" value="(\d+)"', page).group(1)

        done = browser.post(url, {"quote": quote})

        assert (done.status_code, done["Location"]) == (302, "/my/plans/")
        plans = browser.get("/my/plans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>2026-03-16</td><td>¥399.00</td><td>Refunded</td>" in plans
    assert "Cancelled in cooling-off" in plans
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.CANCELLED_COOLING_OFF
        assert (contract.termination.penalty_minor, contract.termination.refund_minor) == (0, 39900)
    # The plan has ended: asking again is refused with 409, nothing written.
    with time_machine.travel(CLOCK.now() + timedelta(hours=2), tick=False):
        again = browser.post(url, {"quote": quote}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "cannot become" in again.content.decode()


def test_after_the_cooling_off_period_the_plan_page_quotes_the_penalty(shop, adopter):
    browser = browser_of(shop, adopter)
    with schema_context(shop.schema_name):
        contract = Contract.objects.get(customer=adopter)
    with time_machine.travel(CLOCK.now() + timedelta(days=10), tick=False):
        page = browser.get(f"/my/plans/{contract.uuid}/end/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ending the contract early costs a penalty of ¥438.90, 10% of the ¥4,389.00 still to pay" in page
    assert "End my plan and pay the penalty" in page
