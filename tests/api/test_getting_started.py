"""The getting-started journey of docs/api.md, call for call, as a frontend makes it: a new
customer, no deposit (the sandbox scores the phone ending 417 at 600), an active contract."""
import re
import uuid

from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import host_of, sandbox_sms_code


def test_the_documented_journey_ends_with_an_active_contract(shop):
    cache.clear()
    api = APIClient(HTTP_HOST=host_of(shop))
    started = api.post("/api/v1/customers/register", {
        "email": "li@example.com", "password": "pawpact-li-2026", "name": "Li Na",
        "phone": "13800138417", "birth_date": "1995-04-01",
    })  # fmt: skip
    assert started.status_code == 202, started.content
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    sms_code = sandbox_sms_code(host_of(shop), "13800138417")
    registered = api.post(
        "/api/v1/customers/register/confirm", {"email": "li@example.com", "code": code, "sms_code": sms_code}
    )
    assert registered.status_code == 201, registered.content
    [anonymous_plans] = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans?code=basic").json()["results"]
    api.credentials(HTTP_AUTHORIZATION="Token " + registered.json()["token"])

    def key() -> str:
        return str(uuid.uuid4())

    pet = api.post("/api/v1/pets", {"name": "Mochi", "species": "cat"}, HTTP_IDEMPOTENCY_KEY=key()).json()
    body = {"pet_uuid": pet["uuid"], "plan_version_id": anonymous_plans["current_version"]["id"]}
    contract = api.post("/api/v1/contracts", body, HTTP_IDEMPOTENCY_KEY=key()).json()
    url = f"/api/v1/contracts/{contract['uuid']}"
    assert api.post(f"{url}/credit-consent").status_code == 200  # the applicant agrees, on their own account
    checked = api.post(f"{url}/credit-check").json()
    assert (checked["credit_score"], checked["deposit_minor"]) == (600, 0)
    agreement = api.get(f"{url}/agreement").json()
    assert agreement["total_minor"] == 12 * 39900
    assert api.post(f"{url}/sign", {"signer_name": "Li Na"}).status_code == 200
    assert api.post(f"{url}/payment-method", {"rail": "sandbox", "token": "tok_success"}).status_code == 200
    activated = api.post(f"{url}/activate", HTTP_IDEMPOTENCY_KEY=key())
    assert (activated.status_code, activated.json()["status"]) == (200, "active")
    calendar = api.get(f"{url}/calendar").json()["results"]
    assert [(period["number"], period["status"]) for period in calendar[:2]] == [(1, "paid"), (2, "scheduled")]
    assert api.get("/api/v1/me").json()["customer_uuid"] == registered.json()["customer"]["uuid"]
