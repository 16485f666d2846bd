"""The workspace's Members section (tier rule editor, members list and exports, member page,
points adjustment) and the customer's My membership page: amounts, roles, bad input
that writes nothing, and one shop's members never reachable from another shop's host."""
import csv
import io
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.customers.services import customer_create
from pawpact.loyalty.models import Membership, PointsEntry, Reevaluation, TierBasis, TierRuleSet
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.workspace.enums import Role
from tests.loyalty.conftest import NOW
from tests.loyalty.helpers import order
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.workspace.conftest import client_for, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def preset_rows(basis=TierBasis.SPEND_VISITS) -> dict:
    """The rule editor's POST for the spend/visits preset as the page shows it (spend in yuan)."""
    rows = {"basis": basis}
    tiers = [("Bronze", "100", "", ""), ("Silver", "1000", "6", "6"), ("Gold", "5000", "15", "12"),
             ("Diamond", "20000", "30", "24")]  # fmt: skip
    for i, (name, spend, visits, window) in enumerate(tiers):
        rows.update({f"t{i}-name": name, f"t{i}-min_spend": spend, f"t{i}-min_visits": visits,
                     f"t{i}-window_months": window, f"t{i}-goods_discount_percent": str(i * 2),
                     f"t{i}-free_service_quota": "0", f"t{i}-quota_period": "month",
                     f"t{i}-points_multiplier": "1", f"t{i}-birthday_multiplier": "2"})  # fmt: skip
    return rows


@pytest.fixture
def silver(shop):
    """A member of the spend/visits ladder who spent ¥1,500 (Silver, 2% off goods)."""
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        customer = customer_with_login(shop)
        points_events_apply(events=[order(customer, at=NOW - timedelta(days=3), amount_minor=150_000)])
    return customer


def test_owner_saves_the_rules_from_the_editor_and_the_members_are_re_evaluated(
    shop, silver, django_capture_on_commit_callbacks
):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    assert owner.get("/manage/members/rules/?preset=spend_visits").status_code == 200

    with django_capture_on_commit_callbacks() as queued:
        response = owner.post("/manage/members/rules/", preset_rows())
    with schema_context(shop.schema_name):  # the worker runs the queued re-evaluation in the shop
        for callback in queued:
            callback()

    assert response.status_code == 302
    with schema_context(shop.schema_name):
        rules = TierRuleSet.objects.get(active=True)
        assert rules.version == 2 and rules.basis == TierBasis.SPEND_VISITS
        assert [(t.name, t.min_spend_minor, t.goods_discount_percent) for t in rules.tiers.all()] == [
            ("Bronze", 10_000, 0), ("Silver", 100_000, 2), ("Gold", 500_000, 4), ("Diamond", 2_000_000, 6)
        ]
        run = Reevaluation.objects.filter(rule_set=rules).get()
        assert (run.status, run.done, run.total) == ("done", 1, 1)  # eager in tests: the whole shop
        membership = Membership.objects.select_related("tier").get(customer=silver)
        assert membership.tier.rule_set_id == rules.pk and membership.tier.name == "Silver"
    progress = owner.get(f"/manage/members/rules/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Done: 1 members re-evaluated under version 2; 0 moved up a tier." in progress
    assert "hx-trigger" not in progress  # finished: the page stops polling


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t2-min_spend": "900"}, "Must be higher than the tiers below (overlapping or decreasing thresholds)."),
        ({"t3-min_visits": "15"}, "Must be higher than the tiers below (overlapping or decreasing thresholds)."),
        ({"t1-min_spend": "1000.005"}, "Use at most 2 decimals (fen)."),
        ({"t1-goods_discount_percent": "-1"}, "Enter a number from 0 to 100."),
    ],
)
def test_bad_ladders_are_shown_on_the_form_and_nothing_is_written(shop, silver, change, message):
    owner = client_for(shop, staff_user(shop, Role.OWNER))

    response = owner.post("/manage/members/rules/", {**preset_rows(), **change}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert message in response.content.decode()
    with schema_context(shop.schema_name):
        assert TierRuleSet.objects.count() == 1 and TierRuleSet.objects.get(active=True).version == 1
        assert Reevaluation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CLERK, Role.MANAGER])
def test_only_the_owner_edits_the_rules(shop, silver, role):
    client = client_for(shop, staff_user(shop, role))
    assert client.get("/manage/members/rules/").status_code == 403
    assert client.post("/manage/members/rules/", preset_rows()).status_code == 403
    assert client.get("/manage/members/").status_code == 200  # the list is for every role
    with schema_context(shop.schema_name):
        assert TierRuleSet.objects.count() == 1


def test_members_list_filters_and_exports(shop, silver):
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    with schema_context(shop.schema_name):
        bronze = customer_create(name="Zhao Bronze", phone="13900001111", birth_date=NOW.date().replace(year=1990))
        points_events_apply(events=[order(bronze, at=NOW - timedelta(days=1), amount_minor=20_000)])

    html = clerk.get("/manage/members/?tier=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert silver.name in html and "Zhao Bronze" not in html
    assert "chart-tiers" in html  # members per tier

    export = clerk.get("/manage/members/?q=Zhao&export=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Phone", "Tier", "Points", "Frozen points"]
    assert rows[1][:5] == ["Zhao Bronze", "13900001111", "Bronze", "200", "0"]
    assert len(rows) == 2
    xlsx = clerk.get("/manage/members/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_manager_adjusts_points_once_per_form_and_never_below_zero(shop, silver):
    manager = client_for(shop, staff_user(shop, Role.MANAGER))
    url = f"/manage/members/{silver.uuid}/points/"
    form = {"points": "-300", "reason": "Damaged gift returned", "key": "k-1"}

    assert manager.post(url, form).status_code == 302
    assert manager.post(url, form).status_code == 302  # sent twice: one movement
    with schema_context(shop.schema_name):
        assert Membership.objects.get(customer=silver).points_balance == 1_200
        entry = PointsEntry.objects.get(source_key="adjust:k-1")
        assert (entry.kind, entry.points, entry.memo) == ("adjust", -300, "Damaged gift returned")
        lot = PointsEntry.objects.get(customer=silver, kind="earn")
        assert lot.remaining == 1_200

    refused = manager.post(url, {"points": "-1201", "reason": "Too much", "key": "k-2"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "The balance cannot go below zero." in refused.content.decode()
    for bad in ({"points": "0", "reason": "x", "key": "k-3"}, {"points": "5", "reason": "", "key": "k-4"},
                {"points": "1.5", "reason": "x", "key": "k-5"}):  # fmt: skip
        assert manager.post(url, bad).status_code == 400
    with schema_context(shop.schema_name):
        assert Membership.objects.get(customer=silver).points_balance == 1_200
        assert PointsEntry.objects.filter(kind="adjust").count() == 1


def test_clerk_may_not_adjust_points(shop, silver):
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    page = clerk.get(f"/manage/members/{silver.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Adjust points" not in page and "+1500" in page and "Shop order" in page
    response = clerk.post(f"/manage/members/{silver.uuid}/points/", {"points": "50", "reason": "x", "key": "k"})
    assert response.status_code == 403
    with schema_context(shop.schema_name):
        assert not PointsEntry.objects.filter(kind="adjust").exists()


def test_another_shops_host_never_shows_or_adjusts_a_member(shop, other_shop, silver):
    stranger = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert stranger.get(f"/manage/members/{silver.uuid}/").status_code == 404
    post = stranger.post(f"/manage/members/{silver.uuid}/points/", {"points": "50", "reason": "x", "key": "k"})
    assert post.status_code == 404
    assert silver.name not in stranger.get("/manage/members/").content.decode()
    with schema_context(shop.schema_name):
        assert Membership.objects.get(customer=silver).points_balance == 1_500


def test_customer_sees_tier_progress_benefits_and_points(shop, silver):
    html = browser_of(shop, silver).get("/my/membership/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Silver" in html and "To reach Gold, any one of:" in html
    assert "spend ¥3,500.00 more within 12 months" in html and "14 more visits within 12 months" in html
    assert "2% off goods in the shop" in html and "Points × 1.2" in html
    assert "<dd><strong>1500</strong></dd>" in html and "Expire on 2027-12-31" in html
    assert "order.paid" not in html and "spend_minor" not in html and "/manage/" not in html

    zh = browser_of(shop, silver).get("/my/membership/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我的会员" in zh and "积分" in zh


def test_the_customer_page_is_the_customers_own(shop, other_shop, silver):
    with schema_context(shop.schema_name):
        stranger = customer_with_login(shop)
    html = browser_of(shop, stranger).get("/my/membership/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1500" not in html and "Silver" not in html
    assert client_for(other_shop).get("/my/membership/").status_code == 302  # to log in on that shop


def test_owner_sets_the_member_day_and_bad_days_write_nothing(shop, silver):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    good = {"member_day": "8", "member_day_discount_percent": "5", "member_day_points_multiplier": "2",
            "multi_pet_half_price": "on"}  # fmt: skip
    assert owner.post("/manage/members/benefits/", good).status_code == 302
    for bad, message in (({"member_day": "0"}, "Choose a day from 1 to 31, or none."),
                         ({"member_day": "32"}, "Choose a day from 1 to 31, or none."),
                         ({"member_day_discount_percent": "95"}, "Enter a whole percentage from 0 to 90."),
                         ({"member_day_points_multiplier": "1.255"}, "Ensure that there are no more than 2 decimal places.")):  # fmt: skip
        response = owner.post("/manage/members/benefits/", {**good, "multi_pet_half_price": "", **bad},
                              HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert response.status_code == 400 and message in response.content.decode()
    with schema_context(shop.schema_name):
        from pawpact.loyalty.benefits import member_benefits_get

        saved = member_benefits_get()
        assert (saved.member_day, saved.member_day_discount_percent, saved.multi_pet_half_price) == (8, 5, True)
    html = browser_of(shop, silver).get("/my/membership/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Member day: day 8 of every month" in html and "5% extra off goods" in html and "points × 2" in html
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    assert clerk.post("/manage/members/benefits/", {**good, "member_day": "9"}).status_code == 403


def test_the_member_page_shows_the_tier_history(shop, silver):
    with schema_context(shop.schema_name):
        from pawpact.loyalty.evaluation import tier_drop_run
        from pawpact.loyalty.models import TierChange

        assert list(TierChange.objects.filter(customer=silver).values_list("from_rank", "to_rank", "why")) == [
            (-1, 1, "up")
        ]
        Membership.objects.filter(customer=silver).update(qualified_on=NOW.date() - timedelta(days=400))
        assert tier_drop_run() == 1
        assert list(TierChange.objects.filter(customer=silver).values_list("from_rank", "to_rank", "why")) == [
            (1, 0, "drop"), (-1, 1, "up")
        ]
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    html = owner.get(f"/manage/members/{silver.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dropped a level after a year below its minimum · Bronze" in html and "Moved up · Silver" in html


def test_my_membership_shows_the_benefits_in_force_and_where_each_comes_from(shop, silver):
    from pawpact.loyalty.paid_membership import paid_membership_join
    from tests.loyalty.paid_helpers import method, plan

    with schema_context(shop.schema_name):
        club = plan(990, goods_discount_percent=5, points_multiplier="1.5", free_services_per_month=1,
                    member_day_extra_percent=0)  # fmt: skip
        paid_membership_join(customer=silver, plan=club, payment_method=method(silver), request_key="join-1")
    html = browser_of(shop, silver).get("/my/membership/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    benefits = html.split('data-testid="benefits"')[1].split("</ul>")[0]
    flat = " ".join(benefits.split())
    assert f"5% off goods in the shop <small class=\"muted\">· from {club.name}" in flat
    assert f"Points × 1.5 <small class=\"muted\">· from {club.name}" in flat
    assert "Points × 2 in your birthday month <small class=\"muted\">· from Silver" in flat
    assert f"1 free service per month <small class=\"muted\">· from {club.name}" in flat
    assert "2% off goods" not in flat and "Points × 1.2" not in flat  # the better of the two, never both
