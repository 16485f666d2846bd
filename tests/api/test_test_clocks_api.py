"""Test clocks through the API, as a frontend developer drives them: create, attach a test
contract, advance; refused in live mode, for bad input and from another shop."""
from datetime import datetime, time

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, TestClock
from pawpact.tenants.enums import ShopMode
from tests.billing.debits.factories import SIGNED_ON, contract_create, plan_version_create
from tests.billing.lifecycle.dunning.helpers import BEIJING
from tests.conftest import host_of

NOON = datetime.combine(SIGNED_ON, time(12, 0), tzinfo=BEIJING)


def _client(shop, user) -> APIClient:
    return APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + user.api_token)


@pytest.fixture
def staff(shop, shop_staff):
    return _client(shop, shop_staff)


@pytest.fixture
def contract(shop):
    with schema_context(shop.schema_name):
        return contract_create(plan_version=plan_version_create(debit_day=15))


def _clock(staff) -> dict:
    answer = staff.post("/api/v1/test-clocks", {"name": "QA", "frozen_time": NOON.isoformat()}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_create_attach_and_advance_three_months(staff, shop, contract):
    clock = _clock(staff)
    assert (clock["object"], clock["status"], clock["contract_ids"]) == ("test_clock", "ready", [])
    attached = staff.post(f"/api/v1/test-clocks/{clock['id']}/attach", {"contract_id": str(contract.uuid)}, format="json")
    assert attached.status_code == 200 and attached.json()["contract_ids"] == [str(contract.uuid)]

    advanced = staff.post(f"/api/v1/test-clocks/{clock['id']}/advance", {"months": 3}, format="json")
    assert advanced.status_code == 200, advanced.content
    assert datetime.fromisoformat(advanced.json()["frozen_time"]) == NOON.replace(month=4)
    calendar = staff.get(f"/api/v1/contracts/{contract.uuid}/calendar").json()["results"]
    statuses = [row["status"] for row in calendar][:5]
    assert statuses == ["paid", "paid", "paid", "reminded", "scheduled"]
    assert staff.get(f"/api/v1/test-clocks/{clock['id']}").json()["frozen_time"] == advanced.json()["frozen_time"]


def test_live_mode_refuses_clocks_with_the_catalogue_code(staff, shop):
    shop.mode = ShopMode.LIVE
    shop.save(update_fields=["mode"])
    answer = staff.post("/api/v1/test-clocks", {}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (422, "test_clock_live_mode")
    with schema_context(shop.schema_name):
        assert TestClock.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"months": 1, "next_debit": True}, 400, "invalid"),
        ({"months": 0}, 400, "invalid"),
        ({"months": "1"}, 400, "invalid"),
        ({"next_debit": False}, 422, "test_clock_advance_invalid"),
        ({"frozen_time": "2025-01-01T00:00:00Z"}, 422, "test_clock_advance_invalid"),
        ({"frozen_time": "2027-06-01T00:00:00Z"}, 422, "test_clock_advance_invalid"),
        ({"next_debit": True}, 422, "test_clock_advance_invalid"),  # nothing attached
        ({"weeks": 1}, 400, "invalid"),
    ],
)
def test_bad_advances_are_refused_and_nothing_moves(staff, shop, body, status, code):
    clock = _clock(staff)
    answer = staff.post(f"/api/v1/test-clocks/{clock['id']}/advance", body, format="json")
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.content
    assert set(answer.json()) == {"code", "message", "fields"}
    assert staff.get(f"/api/v1/test-clocks/{clock['id']}").json()["frozen_time"] == clock["frozen_time"]


def test_bad_attachments_are_refused_and_nothing_is_attached(staff, shop, contract):
    clock = _clock(staff)
    with schema_context(shop.schema_name):
        live = contract_create(livemode=True)
    cases = [
        ({}, 400, "invalid"),
        ({"contract_id": str(contract.uuid), "customer_id": str(contract.customer.uuid)}, 400, "invalid"),
        ({"contract_id": str(live.uuid)}, 409, "test_clock_attach_refused"),
        ({"contract_id": "00000000-0000-4000-8000-000000000000"}, 404, "not_found"),
    ]
    for body, status, code in cases:
        answer = staff.post(f"/api/v1/test-clocks/{clock['id']}/attach", body, format="json")
        assert (answer.status_code, answer.json()["code"]) == (status, code), (body, answer.content)
    with schema_context(shop.schema_name):
        assert Contract.objects.filter(test_clock__isnull=False).count() == 0


def test_another_shop_cannot_see_attach_or_advance_a_clock(staff, shop, other_shop, contract):
    clock = _clock(staff)
    staff.post(f"/api/v1/test-clocks/{clock['id']}/attach", {"contract_id": str(contract.uuid)}, format="json")
    with schema_context(other_shop.schema_name):
        other = User.objects.create_user("staff@beta.test", "x-long-password", is_staff=True)
        other.api_token = api_token_issue(user=other)
        other_contract = contract_create()
    intruder = _client(other_shop, other)
    assert intruder.get("/api/v1/test-clocks").json()["results"] == []
    assert intruder.get(f"/api/v1/test-clocks/{clock['id']}").status_code == 404
    assert intruder.post(f"/api/v1/test-clocks/{clock['id']}/advance", {"months": 1}, format="json").status_code == 404
    assert intruder.post(
        f"/api/v1/test-clocks/{clock['id']}/attach", {"contract_id": str(other_contract.uuid)}, format="json"
    ).status_code == 404
    assert intruder.delete(f"/api/v1/test-clocks/{clock['id']}").status_code == 404
    # A shop's clock cannot take the other shop's contract either: it is not found there.
    cross = staff.post(f"/api/v1/test-clocks/{clock['id']}/attach", {"contract_id": str(other_contract.uuid)}, format="json")
    assert cross.status_code == 404
    with schema_context(shop.schema_name):
        assert TestClock.objects.get().frozen_time == NOON
        assert DebitAttempt.objects.count() == 0
    with schema_context(other_shop.schema_name):
        assert TestClock.objects.count() == 0 and DebitPeriod.objects.filter(status="paid").count() == 0


def test_customers_cannot_use_clocks(shop, contract):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("c@alpha.test", "x-long-password")
        user.api_token = api_token_issue(user=user)
    answer = _client(shop, user).post("/api/v1/test-clocks", {}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")


def test_deleting_a_clock_returns_its_contracts_to_real_time(staff, shop, contract):
    clock = _clock(staff)
    staff.post(f"/api/v1/test-clocks/{clock['id']}/attach", {"customer_id": str(contract.customer.uuid)}, format="json")
    assert staff.delete(f"/api/v1/test-clocks/{clock['id']}").status_code == 204
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.test_clock_id is None and TestClock.objects.count() == 0
