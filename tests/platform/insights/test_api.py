"""The shop's insights API (its own KPIs and benchmarks, on its host) and the platform's
(ranking, risk overrides, on the public domain, for platform admins only)."""
import uuid

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.platform.kpis.benchmarks import kpi_benchmarks_compute
from pawpact.platform.models import ShopRiskChange, ShopRiskOverride
from pawpact.tenants.enums import ShopRiskState
from tests.conftest import SHOP_PASSWORD, host_of
from tests.platform.insights.conftest import FEBRUARY, MARCH, NOW


def shop_api(shop, *, is_staff: bool = True) -> APIClient:
    with schema_context(shop.schema_name):
        email = f"{'staff' if is_staff else 'customer'}-{uuid.uuid4().hex[:8]}@{shop.slug}.test"
        user = User.objects.create_user(email, SHOP_PASSWORD, is_staff=is_staff)
        token = api_token_issue(user=user)
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def public_api(token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    if token:
        client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


@pytest.fixture
def benchmarked(peers, clock, time_machine):
    time_machine.move_to(NOW, tick=False)
    for month in (FEBRUARY, MARCH):
        kpi_benchmarks_compute(month=month, clock=clock)
    return peers


def test_kpis_month_by_month(shop, benchmarked):
    response = shop_api(shop).get("/api/v1/insights/kpis?months=12")

    assert response.status_code == 200
    body = response.json()
    assert body["shop"] == {"slug": "alpha", "name": "Alpha Pets"}
    assert [month["month"] for month in body["months"]] == ["2026-02", "2026-03"]
    march = body["months"][-1]
    assert march["kpis"] == {
        "debit_success_rate": "0.980000", "renewal_rate": None, "overdue_rate": "0.040000", "bad_debt_rate": None,
        "complaint_rate": None, "plan_revenue_share": "0.763500", "ltv_ratio": None, "signings": 30,
        "plan_revenue": 1_527_000,
    }  # fmt: skip
    assert (march["facts"]["debits_attempted"], march["facts"]["overdue_contracts"]) == (1000, 40)
    assert [m["month"] for m in shop_api(shop).get("/api/v1/insights/kpis?months=1").json()["months"]] == ["2026-03"]


def test_benchmarks_give_the_shops_value_and_the_quartiles_only(shop, benchmarked):
    response = shop_api(shop).get("/api/v1/insights/benchmarks?month=2026-03")

    assert response.status_code == 200
    body = response.json()
    success = next(row for row in body["kpis"] if row["kpi"] == "debit_success_rate")
    assert success == {
        "kpi": "debit_success_rate", "label": "Debit success rate", "unit": "rate", "value": "0.980000",
        "p25": "0.944300", "p50": "0.972050", "p75": "0.988325", "shops": 6, "target": "0.980000",
        "higher_is_better": True, "target_met": True, "quartile": 3,
    }  # fmt: skip
    assert body["month"] == "2026-03" and body["min_shops"] == 5
    text = response.content.decode()
    for leak in ["Zeta Rival", "peer-00", "Beta", "0.9123", "0.9377", "0.9641", "0.9911", "0.9999", "0.011",
                 "0.023", "0.037", "0.053", "0.061"]:  # fmt: skip
        assert leak not in text, leak


@pytest.mark.parametrize("path", ["/api/v1/insights/kpis", "/api/v1/insights/benchmarks"])
def test_a_shop_parameter_is_refused(shop, benchmarked, path):
    peer = benchmarked["peer-001"]
    response = shop_api(shop).get(f"{path}?shop={peer.pk}")

    assert response.status_code == 400
    assert response.json() == {
        "code": "shop_from_host",
        "message": "The shop is the host you call; a shop cannot be chosen with a parameter.",
        "fields": {"shop": ["Not accepted."]},
    }
    assert "Zeta" not in response.content.decode()
    assert shop_api(shop).get(f"{path}?shop_id={peer.pk}&schema=shop_peer_001").json()["fields"] == {
        "shop_id": ["Not accepted."], "schema": ["Not accepted."]}  # fmt: skip


@pytest.mark.parametrize("query", ["months=0", "months=25", "months=twelve", "until=2026-13"])
def test_bad_queries_are_400(shop, query):
    response = shop_api(shop).get(f"/api/v1/insights/kpis?{query}")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_customers_and_strangers_are_kept_out(shop):
    assert shop_api(shop, is_staff=False).get("/api/v1/insights/kpis").status_code == 403
    assert shop_api(shop, is_staff=False).get("/api/v1/insights/benchmarks").status_code == 403
    assert APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/insights/kpis").status_code == 401


def test_another_shop_sees_only_itself(other_shop, benchmarked):
    body = shop_api(other_shop).get("/api/v1/insights/kpis").json()
    assert body["shop"]["slug"] == "beta" and body["months"] == []
    benchmarks = shop_api(other_shop).get("/api/v1/insights/benchmarks?month=2026-03").json()
    assert {row["value"] for row in benchmarks["kpis"]} == {None}


# --- the platform API ---------------------------------------------------------------------


@pytest.fixture
def admin_token(platform_admin) -> str:
    return api_token_issue(user=platform_admin)


def test_platform_admins_see_every_shop_ranked(benchmarked, admin_token):
    response = public_api(admin_token).get("/api/v1/platform/insights/ranking?kpi=overdue_rate&month=2026-03")

    assert response.status_code == 200
    body = response.json()
    assert (body["kpi"], body["month"], body["higher_is_better"]) == ("overdue_rate", "2026-03", False)
    assert body["benchmark"] == {"shops": 6, "p25": "0.026500", "p50": "0.038500", "p75": "0.049750"}
    assert [(row["rank"], row["slug"], row["value"]) for row in body["shops"]] == [
        (1, "peer-001", "0.011000"), (2, "peer-002", "0.023000"), (3, "peer-003", "0.037000"),
        (4, "alpha", "0.040000"), (5, "peer-004", "0.053000"), (6, "peer-005", "0.061000"),
    ]  # fmt: skip


def test_ranking_needs_a_known_kpi(admin_token):
    assert public_api(admin_token).get("/api/v1/platform/insights/ranking").status_code == 400
    response = public_api(admin_token).get("/api/v1/platform/insights/ranking?kpi=happiness")
    assert response.status_code == 400 and "kpi" in response.json()["fields"]


def test_the_platform_api_is_for_platform_admins_only(shop, benchmarked):
    with schema_context(shop.schema_name):
        staff = User.objects.create_user("boss@alpha.test", SHOP_PASSWORD, is_staff=True)
        shop_token = api_token_issue(user=staff)
    owner_token = api_token_issue(user=shop.owner)  # a public user, not platform staff
    ranking = "/api/v1/platform/insights/ranking?kpi=signings"
    override = f"/api/v1/platform/shops/{shop.pk}/risk-override"

    assert public_api(shop_token).get(ranking).status_code == 401  # unknown on the public domain
    assert public_api(shop_token).post(override, {"state": "healthy", "reason": "x"}).status_code == 401
    assert public_api().get(ranking).status_code == 401
    assert public_api(owner_token).get(ranking).status_code == 403
    assert public_api(owner_token).post(override, {"state": "healthy", "reason": "x"}).status_code == 403
    assert shop_api(shop).get(ranking).status_code == 404  # not served on a shop's host
    assert not ShopRiskChange.objects.exists()


def test_risk_override_and_lift(shop, admin_token):
    path = f"/api/v1/platform/shops/{shop.pk}/risk-override"
    response = public_api(admin_token).post(path, {"state": "blocked_new_signings", "reason": "Fraud inquiry"})

    assert response.status_code == 200
    assert response.json() | {"at": None} == {
        "object": "risk_change", "shop_id": shop.pk, "from_state": "healthy", "to_state": "blocked_new_signings", "overdue_rate": None,
        "is_override": True, "reason": "Fraud inquiry", "actor": "ops@pawpact.test", "at": None,
    }  # fmt: skip
    shop.refresh_from_db()
    assert shop.risk_state == ShopRiskState.BLOCKED_NEW_SIGNINGS

    lifted = public_api(admin_token).delete(path, {"reason": "Cleared"}, format="json")
    assert lifted.status_code == 200 and lifted.json()["to_state"] == "healthy"
    assert public_api(admin_token).delete(path, {"reason": "again"}, format="json").status_code == 409


@pytest.mark.parametrize("data", [{"state": "watch"}, {"state": "watch", "reason": ""}, {"state": "watch",
                                                                                          "reason": "   "}])
def test_an_override_without_a_reason_is_400_and_writes_nothing(shop, admin_token, data):
    response = public_api(admin_token).post(f"/api/v1/platform/shops/{shop.pk}/risk-override", data)

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required" and response.json()["fields"] == {
        "reason": ["This field is required."]}  # fmt: skip
    shop.refresh_from_db()
    assert shop.risk_state == ShopRiskState.HEALTHY
    assert not ShopRiskOverride.objects.exists() and not ShopRiskChange.objects.exists()


def test_bad_override_targets(shop, admin_token):
    assert public_api(admin_token).post("/api/v1/platform/shops/999999/risk-override",
                                        {"state": "watch", "reason": "x"}).status_code == 404  # fmt: skip
    unknown = public_api(admin_token).post(f"/api/v1/platform/shops/{shop.pk}/risk-override",
                                           {"state": "panic", "reason": "x"})  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_risk_state"
    assert not ShopRiskChange.objects.exists()
