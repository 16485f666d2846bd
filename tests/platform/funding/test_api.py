"""The platform funding API on the public domain: platform admins only, bad input refused."""
import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django_tenants.utils import get_public_schema_name
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import PAYOUT, opaque_id
from pawpact.accounts.models import User
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import FundingTerms, Payout
from pawpact.tenants.models import Shop
from tests.conftest import SHOP_PASSWORD
from tests.platform.funding.conftest import drain, emit, paid, signed


@pytest.fixture
def platform_admin(db):
    return User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)


@pytest.fixture
def admin_api(platform_admin):
    client = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=platform_admin).key}")
    return client


def _terms_url(shop) -> str:
    return f"/api/v1/platform/shops/{shop.pk}/funding-terms"


def test_get_answers_the_defaults_then_put_sets_the_terms(admin_api, shop, platform_admin):
    response = admin_api.get(_terms_url(shop))
    assert response.status_code == 200
    assert response.json() == {
        "object": "funding_terms", "shop": shop.pk, "advance_rate": "0.9000", "fee_minor": 0, "recourse_rule": "full",
        "settlement_delay_days": 7, "is_default": True,
    }  # fmt: skip

    body = {"advance_rate": "0.85", "fee_minor": 1_500, "recourse_rule": "pro_rata", "settlement_delay_days": 5}
    response = admin_api.put(_terms_url(shop), body, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "object": "funding_terms", "shop": shop.pk, "advance_rate": "0.8500", "fee_minor": 1_500, "recourse_rule": "pro_rata",
        "settlement_delay_days": 5, "is_default": False,
    }  # fmt: skip
    row = FundingTerms.objects.get(shop=shop)
    assert (row.advance_rate, row.fee_minor, row.recourse_rule, row.settlement_delay_days) == (
        Decimal("0.85"), 1_500, "pro_rata", 5,
    )  # fmt: skip


# A value outside its bounds (stated in the schema) is refused by the API's input, `invalid`,
# with the funding service's own words; a fee above the advance at the rate given by the service.
@pytest.mark.parametrize(
    ("body", "code", "field", "message"),
    [
        ({"advance_rate": "0", "fee_minor": 0, "recourse_rule": "full"}, "invalid", "advance_rate",
         "The advance rate must be more than 0 and at most 1."),
        ({"advance_rate": "1.5", "fee_minor": 0, "recourse_rule": "full"}, "invalid", "advance_rate",
         "The advance rate must be more than 0 and at most 1."),
        ({"advance_rate": "0.9", "fee_minor": 95_000, "recourse_rule": "full"}, "invalid_funding_terms", "fee_minor",
         "The fee must be smaller than the advance on a ¥1,000.00 contract at this rate (¥900.00)."),
        ({"advance_rate": "0.9", "fee_minor": -5, "recourse_rule": "full"}, "invalid", "fee_minor",
         "The fee is a whole number of fen, 0 or more."),
        ({"advance_rate": "0.9", "fee_minor": 10**12, "recourse_rule": "full"}, "invalid", "fee_minor",
         "Ensure this value is less than or equal to 99999."),
        ({"advance_rate": "0.9", "fee_minor": 0, "recourse_rule": "full", "settlement_delay_days": 400},
         "invalid", "settlement_delay_days", "The settlement delay is 0 to 90 calendar days."),
        ({"advance_rate": "0.9", "fee_minor": 0, "recourse_rule": "full", "settlement_delay_days": -1},
         "invalid", "settlement_delay_days", "The settlement delay is 0 to 90 calendar days."),
    ],
)  # fmt: skip
def test_bad_terms_answer_400_and_write_nothing(admin_api, shop, body, code, field, message):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.8"), fee_minor=500, recourse_rule="none")
    response = admin_api.put(_terms_url(shop), body, format="json")

    assert response.status_code == 400
    error = response.json()
    assert (error["code"], list(error["fields"]), error["fields"][field]) == (code, [field], [message])
    row = FundingTerms.objects.get(shop=shop)
    assert (row.advance_rate, row.fee_minor, row.recourse_rule, row.settlement_delay_days) == (
        Decimal("0.8"), 500, "none", 7,
    )  # fmt: skip


def test_malformed_input_answers_400_in_the_api_error_shape(admin_api, shop):
    response = admin_api.put(_terms_url(shop), {"advance_rate": "abc", "recourse_rule": "most"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert sorted(response.json()["fields"]) == ["advance_rate", "fee_minor", "recourse_rule"]
    assert FundingTerms.objects.count() == 0


def test_unknown_shops_and_the_public_row_are_404(admin_api, db):
    public = Shop.objects.get(schema_name=get_public_schema_name())
    for shop_id in (public.pk, 999_999):
        response = admin_api.get(f"/api/v1/platform/shops/{shop_id}/funding-terms")
        assert (response.status_code, response.json()["code"]) == (404, "unknown_shop")


def test_only_platform_admins_get_in(shop, shop_staff, platform_admin):
    url = _terms_url(shop)
    anonymous = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    assert anonymous.get(url).status_code == 401

    staff_token = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    staff_token.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")  # a token of the shop's schema
    response = staff_token.put(url, {"advance_rate": "1", "fee_minor": 0, "recourse_rule": "none"}, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")

    owner = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    owner.force_authenticate(shop.owner)  # a public user, not platform staff
    response = owner.put(url, {"advance_rate": "1", "fee_minor": 0, "recourse_rule": "none"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert FundingTerms.objects.count() == 0

    session = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    session.force_login(platform_admin)
    assert session.get(url).status_code == 200


def test_the_platform_api_is_not_served_on_shop_hosts(shop, shop_staff):
    client = APIClient(HTTP_HOST=shop.get_primary_domain().domain)
    client.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    assert client.get(_terms_url(shop)).status_code == 404


@pytest.fixture
def paid_out(shop, other_shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    first, second = uuid.UUID(int=11), uuid.UUID(int=12)
    emit(shop, signed(first), paid(first, 1))
    drain(shop, clock)
    emit(other_shop, signed(uuid.uuid4()))
    drain(other_shop, clock)
    clock.advance(timedelta(days=7))
    settlement_run(clock=clock)
    emit(shop, signed(second, signed_at=clock.now()))
    drain(shop, clock)
    return {"first": first, "second": second}


def test_advances_payouts_and_statements(admin_api, shop, other_shop, paid_out):
    response = admin_api.get(f"/api/v1/platform/shops/{shop.pk}/advances")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["contract_uuid"], r["amount_minor"], r["status"], r["payable_on"], r["collected_minor"])
            for r in rows] == [
        (str(paid_out["second"]), 429_920, "pending", "2026-03-30", 0),
        (str(paid_out["first"]), 429_920, "paid", "2026-03-23", 39_900),
    ]  # fmt: skip
    pending = admin_api.get(f"/api/v1/platform/shops/{shop.pk}/advances?status=pending").json()["results"]
    assert [r["contract_uuid"] for r in pending] == [str(paid_out["second"])]

    payouts = admin_api.get(f"/api/v1/platform/shops/{shop.pk}/payouts").json()["results"]
    payout = Payout.objects.get(shop=shop)
    assert payouts == [{
        "object": "payout", "id": opaque_id(PAYOUT, payout.pk), "settlement_date": "2026-03-23", "currency": "CNY", "advances_minor": 429_920,
        "clawbacks_minor": 0, "amount_minor": 429_920, "status": "paid", "rail": "sandbox",
        "rail_reference": payout.rail_reference, "paid_at": "2026-03-23T10:00:00+08:00",
        "statement_csv": f"/api/v1/platform/shops/{shop.pk}/payouts/{opaque_id(PAYOUT, payout.pk)}/statement.csv",
        "statement_pdf": f"/api/v1/platform/shops/{shop.pk}/payouts/{opaque_id(PAYOUT, payout.pk)}/statement.pdf",
    }]  # fmt: skip

    statement = admin_api.get(payouts[0]["statement_csv"])
    assert statement.status_code == 200
    assert statement["Content-Type"] == "text/csv; charset=utf-8"
    assert statement["Content-Disposition"] == f'attachment; filename="settlement-alpha-2026-03-23-{payout.pk}.csv"'
    rows = list(csv.reader(io.StringIO(statement.content.decode())))
    assert rows[1] == ["advance", str(paid_out["first"]), "2026-03-16", "12 × 399.00", "4788.00", "0.9000", "10.00",
                       "4299.20", "CNY"]  # fmt: skip
    assert rows[-1] == ["total", "", "2026-03-23", "net_payout", "", "", "", "4299.20", "CNY"]
    pdf = admin_api.get(payouts[0]["statement_pdf"])
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:4]) == (200, "application/pdf", b"%PDF")

    # Another shop's payout under this shop's address: 404.
    other = Payout.objects.get(shop=other_shop)
    response = admin_api.get(f"/api/v1/platform/shops/{shop.pk}/payouts/{opaque_id(PAYOUT, other.pk)}/statement.csv")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_payout")


def test_the_platform_api_has_its_own_schema_for_platform_admins(admin_api):
    schema = admin_api.get("/api/v1/platform/schema.json").json()
    assert schema["info"]["title"] == "Pawpact platform API"
    assert "/api/v1/platform/shops/{shop_id}/funding-terms" in schema["paths"]
    assert all(path.startswith("/api/v1/platform/") for path in schema["paths"])
    assert APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN).get("/api/v1/platform/schema.json").status_code == 401
