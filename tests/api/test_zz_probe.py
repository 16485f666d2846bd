import json
from datetime import date
import time_machine
from datetime import UTC, datetime
from django_tenants.utils import schema_context
from rest_framework.test import APIClient
from tests.conftest import host_of

def show(label, r):
    body = r.content[:600]
    print("\n##", label, r.status_code, dict((k,v) for k,v in r.items() if k.lower().startswith(("content-type","idempot"))), body.decode(errors="replace"))

def test_probe(shop, other_shop, shop_staff):
    with time_machine.travel(datetime(2026, 3, 16, 2, 0, tzinfo=UTC), tick=False):
        c = APIClient(HTTP_HOST=host_of(shop)); c.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
        r = c.get("/api/v1/plans"); show("plans", r)
        plans = {p["code"]: p for p in r.json()["results"]}
        r = c.post("/api/v1/customers", {"name": "Wang", "phone": "13900000999", "birth_date": "1990-01-01"}, format="json"); show("cust", r)
        cu = r.json()["uuid"]
        r = c.post("/api/v1/pets", {"owner_uuid": cu, "name": "Mimi", "species": "cat"}, format="json"); show("pet", r)
        pet = r.json()["uuid"]
        r = c.post("/api/v1/contracts", {"customer_uuid": cu, "pet_uuid": pet, "plan_version_id": plans["basic"]["current_version"]["id"]}, format="json"); show("contract", r)
        u = r.json()["uuid"]
        r = c.post(f"/api/v1/contracts/{u}/credit-check"); show("cc", r)
        r = c.get(f"/api/v1/contracts/{u}/agreement"); show("agr", r)
        r = c.post(f"/api/v1/contracts/{u}/sign", {"signer_name": "Wang"}, format="json"); show("sign", r)
        r = c.post(f"/api/v1/contracts/{u}/sign", {"signer_name": "Wang"}, format="json"); show("sign2", r)
        r = c.post(f"/api/v1/contracts/{u}/payment-method", {"rail": "sandbox", "token": "tok_nope"}, format="json"); show("pm bad", r)
        r = c.post(f"/api/v1/contracts/{u}/payment-method", {"rail": "sandbox", "token": "tok_success"}, format="json"); show("pm", r)
        r = c.post(f"/api/v1/contracts/{u}/activate"); show("act nokey", r)
        r = c.post(f"/api/v1/contracts/{u}/activate", HTTP_IDEMPOTENCY_KEY="k1"); show("act", r)
        r = c.post(f"/api/v1/contracts/{u}/activate", HTTP_IDEMPOTENCY_KEY="k1"); show("act2", r)
        r = c.get(f"/api/v1/contracts/{u}/calendar"); show("cal", r)
        r = c.get(f"/api/v1/contracts/{u}/agreement.pdf"); show("pdf", r)
        r = c.get(f"/api/v1/contracts/not-a-uuid"); show("bad uuid", r)
        r = c.get(f"/api/v1/contracts/00000000-0000-0000-0000-000000000000"); show("unknown uuid", r)
        r = c.post(f"/api/v1/contracts/{u}/payment-method", {"rail": "sandbox", "token": "tok_insufficient_funds"}, format="json"); show("pm on active", r)
        r = c.post("/api/v1/contracts", {}, format="json"); show("contract missing", r)
        r = c.post("/api/v1/plans/basic/versions", {"monthly_price_minor": 0}, format="json"); show("pv", r)
        b = APIClient(HTTP_HOST=host_of(other_shop)); b.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
        r = b.get("/api/v1/plans"); show("other shop", r)
        r = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/contracts"); show("anon", r)
