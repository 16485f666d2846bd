"""The shop signup picks a Pawpact plan and starts its free trial, in the shop's transaction."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tenants.utils import schema_exists

from pawpact.accounts.models import User
from pawpact.platform.enums import SubscriptionStatus
from pawpact.platform.models import SaasPlan, ShopSubscription
from pawpact.platform.saas import services as saas_services
from pawpact.tenants.models import Domain, Shop
from tests.tenants.test_signup import GOOD

SIGNUP_AT = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # 15:30 UTC: still 1 March in Beijing


def _counts() -> tuple[int, int, int, int]:
    return Shop.objects.count(), Domain.objects.count(), User.objects.count(), ShopSubscription.objects.count()


def test_the_form_offers_the_plans_with_starter_chosen(public_client):
    response = public_client.get("/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Starter: ¥199.00/month, up to 200 active contracts, 14-day free trial" in html
    assert "Growth: ¥499.00/month, unlimited contracts, 14-day free trial" in html
    assert 'value="starter" required' not in html  # optional: left out, it is Starter
    assert 'value="starter"' in html and "checked" in html.split('value="starter"')[1].split(">")[0]
    assert set(SaasPlan.objects.values_list("code", flat=True)) == {"starter", "growth"}


@pytest.mark.parametrize(("chosen", "code", "price"), [("growth", "growth", 49_900), ("starter", "starter", 19_900)])
def test_signup_with_a_plan_starts_its_trial(public_client, chosen, code, price):
    with time_machine.travel(SIGNUP_AT, tick=False):
        response = public_client.post("/signup/", {**GOOD, "saas_plan": chosen})
    assert response.status_code == 302
    subscription = ShopSubscription.objects.select_related("plan", "shop").get(shop__slug="sunny-paws")
    assert (subscription.plan.code, subscription.plan.monthly_price_minor) == (code, price)
    assert subscription.status == SubscriptionStatus.TRIALING
    assert (subscription.trial_ends_on, subscription.current_period_start, subscription.current_period_end) == (
        date(2026, 3, 15), date(2026, 3, 1), date(2026, 3, 15),
    )  # fmt: skip
    assert (subscription.payment_rail, subscription.payment_token, subscription.grace_until) == ("sandbox", "", None)


def test_signup_without_a_plan_is_on_starter(public_client):
    response = public_client.post("/signup/", GOOD)
    assert response.status_code == 302
    assert ShopSubscription.objects.get(shop__slug="sunny-paws").plan.code == "starter"


@pytest.mark.parametrize("code", ["platinum", "STARTER", "1"])
def test_an_unknown_plan_is_a_field_error_and_nothing_is_written(public_client, code):
    public_client.get("/signup/")  # the plans exist
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, "saas_plan": code})
    assert response.status_code == 200
    assert response.context["form"].errors["saas_plan"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert _counts() == before
    assert not schema_exists("shop_sunny_paws")


def test_a_retired_plan_cannot_be_chosen(public_client):
    public_client.get("/signup/")
    SaasPlan.objects.filter(code="growth").update(is_active=False)
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, "saas_plan": "growth"})
    assert response.status_code == 200 and "saas_plan" in response.context["form"].errors
    assert _counts() == before


def test_a_failing_subscription_leaves_no_shop_behind(public_client, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("pawpact.platform.signup.services.subscription_start", fail)
    before = _counts()
    with pytest.raises(RuntimeError):
        public_client.post("/signup/", GOOD)
    assert _counts() == before
    assert not schema_exists("shop_sunny_paws")


def test_a_plan_refused_by_the_service_is_shown_on_the_field(public_client, monkeypatch):
    real_start = saas_services.subscription_start

    def start(*, shop, plan_code):
        SaasPlan.objects.filter(code=plan_code).update(is_active=False)  # retired between form and save
        return real_start(shop=shop, plan_code=plan_code)

    monkeypatch.setattr("pawpact.platform.signup.services.subscription_start", start)
    before = _counts()
    response = public_client.post("/signup/", {**GOOD, "saas_plan": "growth"})
    assert response.status_code == 200
    assert response.context["form"].errors["saas_plan"] == ["Unknown plan 'growth'."]
    assert _counts() == before
    assert not schema_exists("shop_sunny_paws")
