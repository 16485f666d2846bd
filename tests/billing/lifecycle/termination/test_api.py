"""The exit endpoints over HTTP: customers on their own contracts, staff on all; the
Idempotency-Key; bad input answered 4xx in the one error shape with nothing written;
evidence for staff only; another shop's token unknown."""
import re
from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, TerminationQuote
from tests.billing.lifecycle.termination.helpers import (
    adopt,
    assert_ledger_ok,
    beijing,
    collect_through,
    customer_with_token,
    snapshot,
)
from tests.conftest import SHOP_PASSWORD, host_of

PDF = b"%PDF-1.4\n% death certificate\n"


def api(shop, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(shop))
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


def state(shop) -> dict:
    with schema_context(shop.schema_name):
        return snapshot()


@pytest.fixture
def staff(shop, shop_staff) -> APIClient:
    return api(shop, shop_staff.api_token)


@pytest.fixture
def adopter(shop, traveller):
    """A customer with a token and their Basic contract (deposit held), 3 periods paid; now 20 May 2026."""
    with schema_context(shop.schema_name):
        customer, token = customer_with_token()
        contract = adopt(customer=customer)
        collect_through(contract, 3, traveller)
    traveller.move_to(beijing(date(2026, 5, 20)))
    return contract, api(shop, token)


@pytest.fixture
def stranger(shop):
    """Another customer of the same shop."""
    with schema_context(shop.schema_name):
        _customer, token = customer_with_token()
    return api(shop, token)


def quote_url(contract) -> str:
    return f"/api/v1/contracts/{contract.uuid}/termination-quote"


def test_a_customer_quotes_and_executes_an_early_termination(shop, adopter):
    contract, client = adopter

    quote = ok(client.post(quote_url(contract)), 201)
    assert re.fullmatch(r"quote_[0-9A-Za-z]{10,}", quote["id"]), quote["id"]
    assert {k: v for k, v in quote.items() if k not in ("id",)} == {
        "object": "termination_quote",
        "contract_uuid": str(contract.uuid),
        "kind": "early",
        "remaining_periods": 9,
        "monthly_amount_minor": 39900,
        "remaining_minor": 359100,
        "penalty_rate": "0.100",
        "penalty_minor": 35910,
        "refund_minor": 0,
        "deposit_refund_minor": 50000,
        "currency": "CNY",
        "cooling_off_until": "2026-03-16",
        "summary": "Ending the contract early costs a penalty of ¥359.10, 10% of the ¥3,591.00 still to pay; "
        "the remaining periods are cancelled. Your deposit of ¥500.00 is refunded.",
        "created_at": "2026-05-20T10:00:00+08:00",
        "expires_at": "2026-05-21T10:00:00+08:00",
    }

    url = f"/api/v1/termination-quotes/{quote['id']}/execute"
    done = ok(client.post(url, HTTP_IDEMPOTENCY_KEY="exit-1"))
    assert done == {
        "object": "termination",
        "contract_uuid": str(contract.uuid),
        "contract_status": "terminated_early",
        "kind": "early",
        "quote_id": quote["id"],
        "cancelled_minor": 359100,
        "remaining_minor": 0,
        "penalty_minor": 35910,
        "refund_minor": 0,
        "deposit_applied_minor": 0,
        "deposit_refund_minor": 50000,
        "currency": "CNY",
        "evidence_note": "",
        "has_evidence": False,
        "executed_at": "2026-05-20T10:00:00+08:00",
    }
    before = state(shop)
    replay = client.post(url, HTTP_IDEMPOTENCY_KEY="exit-1")
    assert ok(replay) == done and replay["Idempotent-Replayed"] == "true"
    # A new key for the same quote: the service answers with the same termination.
    assert ok(client.post(url, HTTP_IDEMPOTENCY_KEY="exit-2")) == done
    assert state(shop) == before
    assert ok(client.get(f"/api/v1/contracts/{contract.uuid}/termination")) == done
    with schema_context(shop.schema_name):
        assert_ledger_ok()


def test_execute_needs_an_idempotency_key_and_writes_nothing_without_one(shop, adopter):
    contract, client = adopter
    quote = ok(client.post(quote_url(contract)), 201)
    before = state(shop)

    body = error(client.post(f"/api/v1/termination-quotes/{quote['id']}/execute"), 400)

    assert body["code"] == "idempotency_key_required"
    assert state(shop) == before


def test_an_expired_quote_is_refused(shop, adopter, traveller):
    contract, client = adopter
    quote = ok(client.post(quote_url(contract)), 201)
    traveller.shift(timedelta(hours=25))
    before = state(shop)

    body = error(client.post(f"/api/v1/termination-quotes/{quote['id']}/execute", HTTP_IDEMPOTENCY_KEY="k"), 422)

    assert body["code"] == "quote_expired"
    assert state(shop) == before


def test_customers_cannot_touch_someone_elses_contract_or_quote(shop, adopter, stranger):
    contract, client = adopter
    quote = ok(client.post(quote_url(contract)), 201)
    before = state(shop)

    assert error(stranger.post(quote_url(contract)), 404)["code"] == "not_found"
    assert error(stranger.post(f"/api/v1/termination-quotes/{quote['id']}/execute", HTTP_IDEMPOTENCY_KEY="k"), 404)
    pet_loss = stranger.post(
        f"/api/v1/contracts/{contract.uuid}/pet-loss", {"evidence_note": "Not my pet, but..."},
        HTTP_IDEMPOTENCY_KEY="k",
    )  # fmt: skip
    assert error(pet_loss, 404)
    assert error(stranger.post(f"/api/v1/contracts/{contract.uuid}/cooling-off-cancel", HTTP_IDEMPOTENCY_KEY="k"), 404)
    assert state(shop) == before


def test_staff_report_a_pet_loss_with_an_evidence_file_only_staff_can_download(shop, adopter, staff):
    contract, client = adopter
    upload = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")

    done = ok(
        staff.post(
            f"/api/v1/contracts/{contract.uuid}/pet-loss",
            {"evidence": upload, "evidence_note": "Vet certificate attached."},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="loss-1",
        )
    )
    assert (done["contract_status"], done["kind"], done["penalty_minor"], done["deposit_refund_minor"]) == (
        "terminated_pet_loss", "pet_loss", 0, 50000,
    )  # fmt: skip
    assert (done["has_evidence"], done["cancelled_minor"], done["remaining_minor"]) == (True, 9 * 39900, 0)

    evidence_url = f"/api/v1/contracts/{contract.uuid}/termination/evidence"
    download = staff.get(evidence_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == f'attachment; filename="evidence-{contract.uuid}.pdf"'
    # The customer sees the termination, not the file; nobody gets it without a token.
    assert ok(client.get(f"/api/v1/contracts/{contract.uuid}/termination"))["has_evidence"] is True
    assert error(client.get(evidence_url), 403)["code"] == "permission_denied"
    assert error(api(shop).get(evidence_url), 401)["code"] == "not_authenticated"
    # There is no public media URL for it.
    assert api(shop).get(f"/media/shop_alpha/termination-evidence/2026/05/{contract.uuid}.pdf").status_code == 404


def test_pet_loss_without_evidence_is_a_400_and_writes_nothing(shop, adopter):
    contract, client = adopter
    before = state(shop)

    body = error(
        client.post(f"/api/v1/contracts/{contract.uuid}/pet-loss", {"evidence_note": "sad"}, HTTP_IDEMPOTENCY_KEY="k"),
        422,
    )

    assert body["code"] == "evidence_required"
    assert list(body["fields"]) == ["evidence"]
    assert state(shop) == before


def test_a_customer_reports_a_pet_loss_with_a_note_and_cannot_report_it_twice(shop, adopter):
    contract, client = adopter
    url = f"/api/v1/contracts/{contract.uuid}/pet-loss"

    done = ok(client.post(url, {"evidence_note": "Hit by a car on 18 May."}, format="json", HTTP_IDEMPOTENCY_KEY="a"))
    assert (done["evidence_note"], done["has_evidence"]) == ("Hit by a car on 18 May.", False)
    before = state(shop)

    again = client.post(url, {"evidence_note": "Hit by a car on 18 May."}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    body = error(again, 409)
    assert body == {
        "code": "illegal_transition",
        "message": "A contract that is “Terminated (pet loss)” cannot become “Terminated (pet loss)”.",
        "fields": {},
    }
    assert state(shop) == before
    assert error(client.get(f"/api/v1/contracts/{contract.uuid}/termination/evidence"), 403)


def test_cooling_off_cancel_inside_and_outside_the_window(shop, traveller):
    with schema_context(shop.schema_name):
        customer, token = customer_with_token()
        contract = adopt(customer=customer)
    client = api(shop, token)
    url = f"/api/v1/contracts/{contract.uuid}/cooling-off-cancel"

    traveller.move_to(beijing(date(2026, 3, 17), at=time(0, 0)))
    before = state(shop)
    body = error(client.post(url, HTTP_IDEMPOTENCY_KEY="c1"), 422)
    assert body["code"] == "cooling_off_over"
    assert state(shop) == before

    traveller.move_to(beijing(date(2026, 3, 16), at=time(23, 0)))
    done = ok(client.post(url, HTTP_IDEMPOTENCY_KEY="c2"))
    assert (done["contract_status"], done["refund_minor"], done["deposit_refund_minor"]) == (
        "cancelled_cooling_off", 39900, 50000,
    )  # fmt: skip


def test_another_shops_token_is_unknown_here(shop, other_shop, adopter):
    contract, _client = adopter
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        beta_token = api_token_issue(user=user)
    before = state(shop)

    for response in (
        api(shop, beta_token).post(quote_url(contract)),
        api(shop, beta_token).post(f"/api/v1/contracts/{contract.uuid}/pet-loss", {"evidence_note": "x" * 20}),
        api(shop, beta_token).post(f"/api/v1/contracts/{contract.uuid}/cooling-off-cancel", HTTP_IDEMPOTENCY_KEY="k"),
        api(shop, beta_token).get(f"/api/v1/contracts/{contract.uuid}/termination/evidence"),
    ):
        assert error(response, 401) == {"code": "authentication_failed", "message": "Invalid token.", "fields": {}}
    # And this shop's contract does not exist on the other shop's host.
    assert error(api(other_shop, beta_token).post(quote_url(contract)), 404)
    assert state(shop) == before
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
        assert TerminationQuote.objects.count() == 0


def test_the_operations_are_documented(staff):
    schema = staff.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/contracts/{uuid}/termination-quote",
        "/api/v1/termination-quotes/{quote_id}/execute",
        "/api/v1/contracts/{uuid}/pet-loss",
        "/api/v1/contracts/{uuid}/cooling-off-cancel",
        "/api/v1/contracts/{uuid}/termination",
        "/api/v1/contracts/{uuid}/termination/evidence",
    ):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/contracts/{uuid}/pet-loss"]["post"]["requestBody"]["content"]


def test_a_quote_in_the_cooling_off_period_is_the_free_cancellation(shop, traveller):
    with schema_context(shop.schema_name):
        customer, token = customer_with_token()
        contract = adopt(customer=customer)  # today is the signing day
    client = api(shop, token)

    quote = ok(client.post(quote_url(contract), HTTP_ACCEPT_LANGUAGE="en"), 201)

    assert {k: quote[k] for k in ("kind", "penalty_rate", "penalty_minor", "refund_minor", "deposit_refund_minor",
                                  "remaining_minor", "cooling_off_until")} == {
        "kind": "cooling_off", "penalty_rate": "0.000", "penalty_minor": 0, "refund_minor": 39900,
        "deposit_refund_minor": 50000, "remaining_minor": 11 * 39900, "cooling_off_until": "2026-03-16",
    }  # fmt: skip
    assert quote["summary"].startswith("You are within the cooling-off period (until 2026-03-16): cancelling is free")
    done = ok(client.post(f"/api/v1/termination-quotes/{quote['id']}/execute", HTTP_IDEMPOTENCY_KEY="free-1"))
    assert {k: done[k] for k in ("contract_status", "kind", "penalty_minor", "refund_minor", "deposit_refund_minor",
                                 "cancelled_minor", "remaining_minor")} == {
        "contract_status": "cancelled_cooling_off", "kind": "cooling_off", "penalty_minor": 0, "refund_minor": 39900,
        "deposit_refund_minor": 50000, "cancelled_minor": 11 * 39900, "remaining_minor": 0,
    }  # fmt: skip
    # The calendar shows what happened to each period: period 1 refunded, the rest cancelled.
    calendar = ok(client.get(f"/api/v1/contracts/{contract.uuid}/calendar"))["results"]
    assert [row["status"] for row in calendar] == ["refunded"] + ["cancelled"] * 11
    with schema_context(shop.schema_name):
        assert_ledger_ok()
    assert error(client.post(quote_url(contract)), 409)["code"] == "illegal_transition"  # ended: no more quotes
