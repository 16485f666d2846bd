"""Dunning over HTTP: the staff call queue, a new payment method for an active contract,
deferral coupons and standing; who may see what, and shop isolation."""
import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import CALL_TASK, PAYMENT_METHOD, opaque_id
from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.billing.enums import CallTaskStatus, ContractStatus
from pawpact.billing.models import CallTask, Contract, DebitAttempt, DebitPeriod, DeferralCoupon, PaymentMethod
from tests.billing.lifecycle.dunning.helpers import DUE, day, debit_run_on, dunning_on, late_contract, on
from tests.conftest import SHOP_PASSWORD, host_of

FORBIDDEN = {"code": "permission_denied", "message": "You do not have permission to perform this action.", "fields": {}}


def api(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def answer(response, status: int):
    assert response.status_code == status, response.content
    body = response.json()
    if status >= 400:
        assert set(body) == {"code", "message", "fields"}
    return body


def customer_token(contract: Contract) -> str:
    """A login for the contract's customer (call inside the shop's schema)."""
    user = User.objects.create_user(f"adopter{contract.customer.pk}@example.com", SHOP_PASSWORD)
    contract.customer.user = user
    contract.customer.save(update_fields=["user"])
    return api_token_issue(user=user)


@pytest.fixture
def staff(shop, shop_staff) -> APIClient:
    return api(shop, shop_staff.api_token)


@pytest.fixture
def overdue(shop):
    """A customer 3 days overdue (hard decline): a call task is open; and their API client."""
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        for each in (DUE, day(11), day(13)):
            dunning_on(each)
        token = customer_token(contract)
    return contract, api(shop, token)


def test_staff_work_the_call_queue_and_record_the_outcome(shop, shop_staff, staff, overdue):
    contract, _ = overdue
    with schema_context(shop.schema_name):
        task = CallTask.objects.get(customer=contract.customer)
    with on(day(13), 14, 0):
        body = answer(staff.get("/api/v1/call-tasks"), 200)
        assert body["next"] is None
        assert body["results"] == [
            {
                "object": "call_task", "id": opaque_id(CALL_TASK, task.pk, schema_name=shop.schema_name), "kind": "call", "status": "open", "due_on": "2026-02-13",
                "customer_uuid": str(contract.customer.uuid), "customer_name": contract.customer.name,
                "customer_phone": contract.customer.phone, "contract_uuid": str(contract.uuid), "period_number": 2,
                "period_due_date": "2026-02-10", "amount_minor": 39_900, "currency": "CNY", "outcome_note": "",
                "assigned_to": None, "created_at": "2026-02-13T09:30:00+08:00", "done_at": None,
            }
        ]  # fmt: skip

        url = f"/api/v1/call-tasks/{opaque_id(CALL_TASK, task.pk, schema_name=shop.schema_name)}/outcome"
        refused = answer(staff.post(url, {"outcome_note": "   "}, format="json"), 400)
        assert refused["code"] == "invalid" and set(refused["fields"]) == {"outcome_note"}
        with schema_context(shop.schema_name):
            assert CallTask.objects.get(pk=task.pk).status == CallTaskStatus.OPEN

        note = "Reached the customer: will top up on Friday."
        done = answer(staff.post(url, {"outcome_note": note}, format="json"), 200)
        assert (done["status"], done["outcome_note"], done["assigned_to"], done["done_at"]) == (
            "done", note, shop_staff.email, "2026-02-13T14:00:00+08:00",
        )  # fmt: skip
        assert answer(staff.get("/api/v1/call-tasks"), 200)["results"] == []
        assert [t["id"] for t in answer(staff.get("/api/v1/call-tasks?status=done"), 200)["results"]] == [opaque_id(CALL_TASK, task.pk, schema_name=shop.schema_name)]

        again = answer(staff.post(url, {"outcome_note": "Again"}, format="json"), 409)
        assert again == {
            "code": "illegal_transition",
            "message": "This task is done already; its outcome cannot be recorded again.",
            "fields": {},
        }
        with schema_context(shop.schema_name):
            assert CallTask.objects.get(pk=task.pk).outcome_note == note


def test_a_customer_cannot_see_the_call_queue(shop, overdue):
    contract, customer = overdue
    assert answer(customer.get("/api/v1/call-tasks"), 403) == FORBIDDEN
    assert answer(customer.post(f"/api/v1/call-tasks/{opaque_id(CALL_TASK, 1, schema_name=shop.schema_name)}/outcome", {"outcome_note": "x"},
                                format="json"), 403) == FORBIDDEN


def test_another_shop_s_token_is_unknown_here(shop, other_shop, shop_staff):
    with schema_context(other_shop.schema_name):
        other = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        other_token = api_token_issue(user=other)
    for client in (api(shop, other_token), api(other_shop, shop_staff.api_token)):
        body = answer(client.get("/api/v1/call-tasks"), 401)
        assert body == {"code": "authentication_failed", "message": "Invalid token.", "fields": {}}


def test_the_other_shop_s_queue_does_not_show_this_shop_s_tasks(other_shop, overdue):
    with schema_context(other_shop.schema_name):
        other = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        token = api_token_issue(user=other)
    assert answer(api(other_shop, token).get("/api/v1/call-tasks?status=all"), 200)["results"] == []


def test_a_customer_replaces_the_payment_method_and_the_late_period_is_paid_at_once(shop, overdue):
    contract, customer = overdue
    url = f"/api/v1/contracts/{contract.uuid}/payment-method/replace"
    body = {"rail": "sandbox", "token": "tok_success"}
    with on(day(13), 15, 0):
        missing = answer(customer.post(url, body, format="json"), 400)
        assert missing["code"] == "idempotency_key_required"
        first = answer(customer.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pm-1"), 200)
        method_id = first.pop("payment_method_id")
        assert first == {
            "object": "payment_method_replaced",
            "contract_uuid": str(contract.uuid),
            "payment_method": "Sandbox · success",
            "attempts": [
                {"period_number": 2, "number": 2, "status": "succeeded", "outcome": "succeeded", "decline_type": "",
                 "amount_minor": 39_900, "finished_at": "2026-02-13T15:00:00+08:00"},
            ],
        }  # fmt: skip
        replay = customer.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pm-1")
        assert (replay.json(), replay["Idempotent-Replayed"]) == ({**first, "payment_method_id": method_id}, "true")
        standing = answer(customer.get(f"/api/v1/customers/{contract.customer.uuid}/standing"), 200)
        assert standing == {
            "object": "standing", "customer_uuid": str(contract.customer.uuid), "standing": "current",
            "standing_since": "2026-02-13T15:00:00+08:00", "shipment_held": False, "loyalty_frozen": False,
            "reason": "", "message": "",
        }  # fmt: skip
    with schema_context(shop.schema_name):
        assert DebitAttempt.objects.filter(period__contract=contract, period__number=2).count() == 2
        assert CallTask.objects.get(customer=contract.customer).status == CallTaskStatus.CANCELLED
        assert method_id == opaque_id(PAYMENT_METHOD, Contract.objects.get(pk=contract.pk).payment_method_id, schema_name=shop.schema_name)


def test_replacing_the_payment_method_is_refused_for_an_ended_contract_or_someone_else_s(shop, staff, overdue):
    contract, customer = overdue
    with schema_context(shop.schema_name):
        stranger = late_contract("tok_success")
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.TERMINATED_EARLY)
        methods = PaymentMethod.objects.count()
    body = {"rail": "sandbox", "token": "tok_success"}
    with on(day(13), 15, 0):
        url = f"/api/v1/contracts/{contract.uuid}/payment-method/replace"
        ended = answer(customer.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pm-2"), 409)
        assert ended == {
            "code": "illegal_transition",
            "message": "Only an active contract's payment method can be replaced; this one is terminated early.",
            "fields": {},
        }
        other = f"/api/v1/contracts/{stranger.uuid}/payment-method/replace"
        someone_else = customer.post(other, body, format="json", HTTP_IDEMPOTENCY_KEY="pm-3")
        assert answer(someone_else, 404)["code"] == "not_found"
    with schema_context(shop.schema_name):
        assert PaymentMethod.objects.count() == methods


def test_deferral_coupons_are_issued_by_staff_and_used_by_the_customer_once(shop, staff, overdue):
    contract, customer = overdue
    coupons = f"/api/v1/contracts/{contract.uuid}/deferral-coupons"
    with on(day(13), 16, 0):
        # The automatic coupon of the first overdue is there already.
        [auto] = answer(customer.get(coupons), 200)["results"]
        assert (auto["reason"], auto["used_on_period"]) == ("overdue", None)
        assert answer(customer.post(coupons, {"reason": "please"}, format="json"), 403)["code"] == "permission_denied"
        refused = answer(staff.post(coupons, {"reason": "Goodwill"}, format="json"), 422)
        assert refused["message"] == "This contract has used its 1 deferral: the shop allows 1 per contract."

        deferrals = f"/api/v1/contracts/{contract.uuid}/deferrals"
        calendar = answer(customer.post(deferrals, {"period_number": 2}, format="json"), 200)["results"]
        assert calendar[1:3] == [
            {"object": "deferred_period", "number": 2, "due_date": "2026-03-10", "original_due_date": "2026-02-10", "amount_minor": 39_900,
             "currency": "CNY", "status": "deferred"},
            {"object": "deferred_period", "number": 3, "due_date": "2026-04-10", "original_due_date": "2026-03-10", "amount_minor": 39_900,
             "currency": "CNY", "status": "scheduled"},
        ]  # fmt: skip
        with schema_context(shop.schema_name):
            before = list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("due_date"))
        second = answer(customer.post(deferrals, {"period_number": 4}, format="json"), 422)
        assert second == {
            "code": "deferral_refused",
            "message": "This contract has used its 1 deferral: the shop allows 1 per contract.",
            "fields": {},
        }
        bad = answer(customer.post(deferrals, {"period_number": 0}, format="json"), 400)
        assert set(bad["fields"]) == {"period_number"}
    with schema_context(shop.schema_name):
        assert list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("due_date")) == before
        assert DeferralCoupon.objects.filter(contract=contract, used_on__isnull=False).count() == 1


def test_standing_is_visible_to_staff_and_to_the_customer_only(shop, staff, overdue):
    contract, customer = overdue
    with schema_context(shop.schema_name):
        stranger = late_contract("tok_success")
    with on(day(13), 16, 0):
        body = answer(staff.get(f"/api/v1/customers/{contract.customer.uuid}/standing"), 200)
        assert (body["standing"], body["shipment_held"], body["loyalty_frozen"], body["reason"]) == (
            "overdue", True, True, "overdue",
        )  # fmt: skip
        assert body["message"] == (
            "A monthly payment is overdue: the next shipment is held and points are frozen until it is paid."
        )
        assert answer(customer.get(f"/api/v1/customers/{stranger.customer.uuid}/standing"), 404)["code"] == "not_found"
