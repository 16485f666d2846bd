"""Members over the API: a customer's own membership and points (cursor pages), staff's list
and detail; another customer's or another shop's token sees nothing."""
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.services import api_token_issue
from pawpact.loyalty.models import PointsEntry, TierBasis
from pawpact.loyalty.points import points_adjust, points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from tests.conftest import host_of
from tests.loyalty.conftest import NOW
from tests.loyalty.helpers import order
from tests.storefront.test_my_plans import customer_with_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def token_client(shop, user) -> APIClient:
    with schema_context(shop.schema_name):
        token = api_token_issue(user=user)
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


@pytest.fixture
def silver(shop):
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        customer = customer_with_login(shop)
        points_events_apply(events=[
            order(customer, at=NOW - timedelta(days=3 - i), amount_minor=50_000 + i) for i in range(3)
        ])  # fmt: skip
        points_adjust(customer=customer, points=-20, reason="Gift", key="api-1")
    return customer


def test_the_customer_reads_their_membership_and_points_in_cursor_pages(shop, silver):
    client = token_client(shop, silver.user)

    body = client.get("/api/v1/membership").json()

    assert body["tier"]["name"] == "Silver" and body["tier"]["goods_discount_percent"] == 2
    assert (body["points_balance"], body["points_frozen"]) == (1_480, 0)
    assert body["progress"]["next_tier"]["name"] == "Gold"
    assert body["progress"]["missing"] == [
        {"kind": "spend_minor", "amount": 349_997, "window_months": 12},
        {"kind": "visits", "amount": 12, "window_months": 12},
    ]
    assert body["expiring"] == [{"expires_on": "2027-12-31", "points": 1_480}]
    first = client.get("/api/v1/membership/points?page_size=2").json()
    assert [(e["kind"], e["points"]) for e in first["results"]] == [("adjust", -20), ("earn", 500)]
    rest = client.get(first["next"]).json()
    assert [(e["kind"], e["points"], e["source_event"]) for e in rest["results"]] == [
        ("earn", 500, "order.paid"), ("earn", 500, "order.paid")
    ]
    assert rest["has_more"] is False
    bad = client.get("/api/v1/membership/points?page_size=0")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "page_size" in bad.json()["fields"]


def test_staff_list_and_read_members_and_customers_may_not(shop, silver, shop_staff):
    staff = token_client(shop, shop_staff)
    listed = staff.get("/api/v1/members?search=Page Adopter").json()
    assert [(m["customer_uuid"], m["points_balance"]) for m in listed["results"]] == [(str(silver.uuid), 1_480)]
    assert staff.get("/api/v1/members?tier_rank=9").status_code == 400
    detail = staff.get(f"/api/v1/members/{silver.uuid}").json()
    assert detail["tier"]["rank"] == 1 and detail["progress"]["on_time_streak"] == 0

    customer = token_client(shop, silver.user)
    assert customer.get("/api/v1/members").status_code == 403
    assert customer.get(f"/api/v1/members/{silver.uuid}").status_code == 403


def test_another_customer_or_shop_sees_none_of_it(shop, other_shop, silver):
    with schema_context(shop.schema_name):
        stranger = customer_with_login(shop)
    body = token_client(shop, stranger.user).get("/api/v1/membership").json()
    assert (body["tier"], body["points_balance"]) == (None, 0)
    assert token_client(shop, stranger.user).get("/api/v1/membership/points").json()["results"] == []

    with schema_context(other_shop.schema_name):
        from pawpact.accounts.models import User

        other_staff = User.objects.create_user("staff@beta.test", "x-Password-1", name="Beta", is_staff=True)
    other = token_client(other_shop, other_staff)
    assert other.get(f"/api/v1/members/{silver.uuid}").status_code == 404
    assert other.get("/api/v1/members").json()["results"] == []
    with schema_context(shop.schema_name):
        assert PointsEntry.objects.filter(customer=silver).count() == 4
