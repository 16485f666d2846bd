"""The contract page's actions (hold/release, deferral, payment method, pet-loss reports) and
the collections page (standing per customer, write-off with a reason)."""
import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus, PetLossReportStatus
from pawpact.billing.holds import contract_holds
from pawpact.billing.models import Contract, ContractHold, DebitPeriod, DeferralCoupon, Journal, PetLossReport
from pawpact.billing.selectors import ledger_check
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.services import customer_account_create
from pawpact.messaging.models import Message
from pawpact.workspace.enums import Role
from tests.billing.lifecycle.dunning.helpers import DUE, day, debit_run_on, dunning_on, late_contract, on
from tests.workspace.conftest import client_for, staff_user
from tests.workspace.test_pages import active_contract

pytestmark = pytest.mark.django_db


def page(client, contract) -> str:
    return client.get(f"/manage/contracts/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def act(client, contract, action: str, **data):
    return client.post(f"/manage/contracts/{contract.uuid}/{action}/", data, HTTP_ACCEPT_LANGUAGE="en", follow=True)


def test_hold_and_release_shipments(shop, manager_client, clerk_client, adopter):
    contract = active_contract(shop, *adopter)
    assert clerk_client.post(f"/manage/contracts/{contract.uuid}/hold/", {"reason": "Away"}).status_code == 403
    assert "Say why, in 2 to 200 characters." in act(manager_client, contract, "hold", reason=" ").content.decode()
    with schema_context(shop.schema_name):
        assert not ContractHold.objects.exists()
    act(manager_client, contract, "hold", reason="Customer travelling until March")
    second = act(manager_client, contract, "hold", reason="Again").content.decode()
    assert "This contract is on hold already." in second
    with schema_context(shop.schema_name):
        assert ContractHold.objects.filter(released_at__isnull=True).count() == 1
        holds = contract_holds(contract=Contract.objects.get(pk=contract.pk))
        assert (holds.shipment_held, holds.reason) == (True, "manual")
    assert "Shipments on hold" in page(manager_client, contract)
    act(manager_client, contract, "release")
    with schema_context(shop.schema_name):
        assert contract_holds(contract=Contract.objects.get(pk=contract.pk)).shipment_held is False
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
    timeline = page(manager_client, contract)
    assert "Shipments held by manager of alpha: Customer travelling until March" in timeline
    assert "Hold released by manager of alpha" in timeline


def test_deferral_coupon_issued_then_used_moves_the_calendar(shop, manager_client, adopter):
    contract = active_contract(shop, *adopter)
    with schema_context(shop.schema_name):
        before = list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("due_date", flat=True))
    act(manager_client, contract, "deferral-issue", reason="Salary late")
    refused = act(manager_client, contract, "deferral-issue", reason="Again").content.decode()
    assert "deferral coupon" in refused.lower()
    act(manager_client, contract, "deferral-use", period="2")
    with schema_context(shop.schema_name):
        assert DeferralCoupon.objects.filter(contract=contract).count() == 1
        periods = list(DebitPeriod.objects.filter(contract=contract).order_by("number"))
    assert periods[0].due_date == before[0] and periods[1].status == PeriodStatus.DEFERRED
    assert periods[1].original_due_date == before[1] and periods[1].due_date.month == before[2].month
    assert periods[-1].due_date > before[-1]
    assert "Deferral coupon used: period 2 moved to" in page(manager_client, contract)


def test_payment_method_change_collects_the_late_period_at_once(shop, manager_client):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        dunning_on(day(14))
        good = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
        foreign = payment_method_attach(customer=late_contract("tok_success").customer, rail="sandbox", token="tok_success")
        assert DebitPeriod.objects.get(contract=contract, number=2).status in (PeriodStatus.RETRYING, PeriodStatus.FAILED)
    with on(day(14), 10):
        assert manager_client.post(f"/manage/contracts/{contract.uuid}/payment-method/", {"payment_method": foreign.pk}).status_code == 404
        act(manager_client, contract, "payment-method", payment_method=good.pk)
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.payment_method_id == good.pk
        assert DebitPeriod.objects.get(contract=contract, number=2).status == PeriodStatus.PAID
        contract.customer.refresh_from_db()
        assert contract.customer.standing == "current"
        assert ledger_check().is_ok


def test_payment_link_goes_to_the_customer_once_a_day(shop, manager_client, adopter):
    contract = active_contract(shop, *adopter)
    act(manager_client, contract, "payment-link")
    act(manager_client, contract, "payment-link")
    with schema_context(shop.schema_name):
        sent = list(Message.objects.filter(topic="payment_method_link").values_list("channel", "body"))
    assert sorted(channel for channel, _body in sent) == ["in_app", "sms"]
    assert f"http://alpha.localhost/my/plans/{contract.uuid}/payment/" in sent[0][1]


def customer_login(shop, customer):
    with schema_context(shop.schema_name):
        user = customer_account_create(customer=customer, email="wang@example.com", password="a-long-pass-123")
    return client_for(shop, user)


def test_pet_loss_report_from_the_phone_then_the_shops_decision(shop, manager_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    phone = customer_login(shop, customer)
    url = f"/manage/contracts/{contract.uuid}/"
    certificate = SimpleUploadedFile("vet.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    assert phone.post(f"/my/plans/{contract.uuid}/pet-loss/", {"evidence": certificate, "note": ""}).status_code == 302
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
    assert "The customer reported the pet's death or loss" in page(manager_client, contract)
    assert b"".join(manager_client.get(f"{url}evidence/report/").streaming_content) == b"%PDF-1.4 certificate"
    assert "Tell the customer why" in act(manager_client, contract, "report-reject", reason="no").content.decode()
    act(manager_client, contract, "report-reject", reason="The certificate is for another cat")
    assert "The certificate is for another cat" in phone.get(f"/my/plans/{contract.uuid}/pet-loss/").content.decode()
    phone.post(f"/my/plans/{contract.uuid}/pet-loss/", {"note": "Mimi died on Sunday at the clinic, see the vet."})
    act(manager_client, contract, "report-accept")
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.TERMINATED_PET_LOSS
        assert contract.termination.penalty_minor == 0
        statuses = list(PetLossReport.objects.order_by("id").values_list("status", flat=True))
        assert statuses == [PetLossReportStatus.REJECTED, PetLossReportStatus.ACCEPTED]
        assert ledger_check().is_ok


def test_write_off_needs_a_manager_and_a_reason(shop, manager_client, clerk_client):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        dunning_on(day(14))
        period = DebitPeriod.objects.get(contract=contract, number=2)
    listing = manager_client.get("/manage/collections/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert contract.customer.name in listing and "¥399.00" in listing
    url = f"/manage/collections/periods/{period.pk}/write-off/"
    assert clerk_client.post(url, {"reason": "Moved abroad, no contact"}).status_code == 403
    refused = manager_client.post(url, {"reason": "no"}, HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert "Give the reason in 5 to 150 characters." in refused
    with schema_context(shop.schema_name):
        assert DebitPeriod.objects.get(pk=period.pk).status != PeriodStatus.WRITTEN_OFF
    manager_client.post(url, {"reason": "Moved abroad, no contact"})
    with schema_context(shop.schema_name):
        assert DebitPeriod.objects.get(pk=period.pk).status == PeriodStatus.WRITTEN_OFF
        memo = Journal.objects.get(idempotency_key=f"writeoff:{period.pk}").memo
        assert memo.endswith("Moved abroad, no contact (manager@alpha.test)")
        assert ledger_check().is_ok


def test_another_shop_cannot_act_on_this_shops_contract(shop, other_shop, adopter):
    contract = active_contract(shop, *adopter)
    beta = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    for action, data in (("hold", {"reason": "x" * 5}), ("deferral-issue", {}), ("payment-link", {})):
        assert beta.post(f"/manage/contracts/{contract.uuid}/{action}/", data).status_code == 404
    assert beta.get(f"/manage/contracts/{contract.uuid}/agreement.pdf").status_code == 404
    with schema_context(shop.schema_name):
        assert not ContractHold.objects.exists() and not DeferralCoupon.objects.exists()
        assert not Message.objects.filter(topic="payment_method_link").exists()


def test_contract_page_and_collections_stay_within_twenty_queries(shop, owner_client, adopter, page_queries):
    contract = active_contract(shop, *adopter)
    act(owner_client, contract, "hold", reason="Customer travelling")
    act(owner_client, contract, "deferral-issue", reason="Salary late")
    for url in (f"/manage/contracts/{contract.uuid}/", "/manage/collections/"):
        owner_client.get(url)
        with page_queries() as queries:
            assert owner_client.get(url).status_code == 200
        assert queries.count <= 20, (url, queries.count)


def test_staff_download_the_signed_agreement(shop, clerk_client, adopter):
    contract = active_contract(shop, *adopter)
    response = clerk_client.get(f"/manage/contracts/{contract.uuid}/agreement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="agreement-{contract.uuid}.pdf"'


def test_the_call_queue_records_the_outcome(shop, clerk_client):
    from pawpact.billing.models import CallTask

    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        for each in (DUE, day(11), day(13)):
            dunning_on(each)
        task = CallTask.objects.get(customer=contract.customer)
    with on(day(13), 15):
        queue = clerk_client.get("/manage/collections/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert contract.customer.phone in queue and "¥399.00" in queue
        clerk_client.post(f"/manage/collections/calls/{task.pk}/", {"outcome_note": " ", "status": "done"})
        with schema_context(shop.schema_name):
            assert CallTask.objects.get(pk=task.pk).status == "open"
        clerk_client.post(f"/manage/collections/calls/{task.pk}/", {"outcome_note": "Will pay on Friday.", "status": "done"})
    with schema_context(shop.schema_name):
        task.refresh_from_db()
        assert (task.status, task.outcome_note, task.assigned_to.email) == ("done", "Will pay on Friday.", "clerk@alpha.test")


def test_collections_export_the_late_customers_and_the_owed_periods(shop, manager_client, other_shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_insufficient_funds")
        debit_run_on(DUE)
        dunning_on(day(14))
    late = manager_client.get("/manage/collections/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(late.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Customer", "Phone", "Standing"]
    assert [(row[0], row[5], row[6]) for row in rows[1:]] == [(contract.customer.name, "399.00", "1")]
    owed = manager_client.get("/manage/collections/?list=owed&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(owed.streaming_content))).active
    number, due, amount = [cell.value for cell in next(sheet.iter_rows(min_row=2))][3:6]
    assert (number, due.date(), amount) == (2, DUE, 399)
    # Another shop's export lists none of this shop's customers.
    beta = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    other = b"".join(beta.get("/manage/collections/?export=csv").streaming_content).decode("utf-8-sig")
    assert contract.customer.name not in other and len(other.strip().splitlines()) == 1
