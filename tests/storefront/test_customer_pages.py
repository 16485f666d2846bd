"""The customer's pages beyond the calendar: next debit and totals, agreement PDF, payment
method change, pet-loss report, messages; each only for the customer's own contracts."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.enums import PetLossReportStatus
from pawpact.billing.models import Contract, PaymentMethod, PetLossReport
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from tests.conftest import host_of
from tests.storefront.test_my_plans import active_basic_contract, browser_of, customer_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(shop):
    customer = customer_with_login(shop)
    return customer, active_basic_contract(shop, customer, pet_name="Mimi")


def test_my_plans_shows_next_debit_paid_and_remaining_and_the_actions(shop, plan):
    customer, contract = plan
    html = browser_of(shop, customer).get("/my/plans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Next debit: ¥399.00 on 2026-05-10 (period 2 of 12)" in html
    assert "<dt>Paid so far</dt><dd>¥399.00</dd>" in html and "<dt>Still to pay</dt><dd>¥4,389.00</dd>" in html
    for url in ("agreement.pdf", "payment/", "pet-loss/", "end/"):
        assert f"/my/plans/{contract.uuid}/{url}" in html
    assert "/manage/" not in html and "/api/" not in html and "/admin/" not in html


def test_the_agreement_pdf_is_the_customers_own(shop, plan):
    customer, contract = plan
    response = browser_of(shop, customer).get(f"/my/plans/{contract.uuid}/agreement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    stranger = customer_with_login(shop)
    assert browser_of(shop, stranger).get(f"/my/plans/{contract.uuid}/agreement.pdf").status_code == 404


def test_the_customer_changes_the_payment_method(shop, plan):
    customer, contract = plan
    browser = browser_of(shop, customer)
    assert browser.post(f"/my/plans/{contract.uuid}/payment/", {"card": "tok_visa"}).status_code == 400
    response = browser.post(f"/my/plans/{contract.uuid}/payment/", {"card": "tok_insufficient_funds"})
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert PaymentMethod.objects.filter(customer=customer).count() == 2
        assert contract.payment_method.token.startswith("tok_insufficient_funds")
    stranger = customer_with_login(shop)
    assert browser_of(shop, stranger).post(f"/my/plans/{contract.uuid}/payment/", {"card": "tok_success"}).status_code == 404


def test_a_pet_loss_report_needs_evidence_and_waits_for_the_shop(shop, plan):
    customer, contract = plan
    browser = browser_of(shop, customer)
    short = browser.post(f"/my/plans/{contract.uuid}/pet-loss/", {"note": "gone"}, HTTP_ACCEPT_LANGUAGE="en")
    assert short.status_code == 400 and "at least 10 characters" in short.content.decode()
    photo = SimpleUploadedFile("mimi.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    assert browser.post(f"/my/plans/{contract.uuid}/pet-loss/", {"evidence": photo}).status_code == 302
    again = browser.post(f"/my/plans/{contract.uuid}/pet-loss/", {"note": "Mimi is lost since Sunday evening."})
    assert again.status_code == 400
    with schema_context(shop.schema_name):
        assert list(PetLossReport.objects.values_list("status", flat=True)) == [PetLossReportStatus.SUBMITTED]
        assert Contract.objects.get(pk=contract.pk).status == "active"
    assert "is with the shop" in browser.get("/my/plans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_messages_list_marks_in_app_messages_read(shop, plan):
    customer, _contract = plan
    with schema_context(shop.schema_name):
        message_send(customer=customer, topic="test", category="service", channels=["sms", "in_app"],
                     subject="Vaccine due", body="Mimi's vaccine is due on 1 May.", dedupe_key="test:vaccine")  # fmt: skip
    browser = browser_of(shop, customer)
    assert "Messages (1)" in browser.get("/my/plans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    html = browser.get("/my/messages/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("Mimi&#x27;s vaccine is due on 1 May.") == 2
    with schema_context(shop.schema_name):
        assert not Message.objects.filter(customer=customer, channel="in_app", read_at__isnull=True).exists()
    stranger = customer_with_login(shop)
    assert "No message yet." in browser_of(shop, stranger).get("/my/messages/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_shops_home_leads_customers_to_their_pages(shop, plan):
    customer, _contract = plan
    html = browser_of(shop, customer).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/my/plans/" in html and "/my/messages/" in html and "/manage/" not in html


def test_another_shops_host_knows_nothing_of_the_contract(shop, other_shop, plan):
    customer, contract = plan
    elsewhere = Client(HTTP_HOST=host_of(other_shop))
    elsewhere.cookies = browser_of(shop, customer).cookies
    for url in (f"/my/plans/{contract.uuid}/payment/", f"/my/plans/{contract.uuid}/agreement.pdf"):
        assert elsewhere.get(url).status_code == 302  # not logged in there: the session is the shop's


@pytest.mark.parametrize("path", ["/my/plans/", "/my/plans/{uuid}/payment/", "/my/plans/{uuid}/pet-loss/", "/my/messages/"])
def test_customer_pages_stay_within_twenty_queries(shop, plan, page_queries, path):
    customer, contract = plan
    browser = browser_of(shop, customer)
    url = path.format(uuid=contract.uuid)
    browser.get(url)
    with page_queries() as queries:
        assert browser.get(url).status_code == 200
    assert queries.count <= 20, queries.count


def test_customer_pages_in_chinese(shop, plan):
    customer, contract = plan
    browser = browser_of(shop, customer)
    browser.cookies["django_language"] = "zh-hans"
    html = browser.get("/my/plans/").content.decode()
    for text in ("下次扣款", "已付", "更换支付方式", "宠物离世或走失"):
        assert text in html, text


def test_my_account_leads_to_my_plans(shop, plan):
    customer, _contract = plan
    response = browser_of(shop, customer).get("/my/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and 'href="/my/plans/"' in response.content.decode()
