"""Preset tier names are stored in English and shown in each viewer's language; a name the
shop typed is shown as typed; a preset's name kept in Chinese in the editor stays a preset name."""
from datetime import timedelta

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.loyalty.models import Membership, Tier, TierBasis, TierRuleSet
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset, tier_preset_apply, tier_rules_save
from pawpact.workspace.enums import Role
from tests.loyalty.conftest import NOW
from tests.loyalty.helpers import order
from tests.loyalty.test_member_pages import preset_rows
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.workspace.conftest import client_for, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


@pytest.fixture
def silver(shop):
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        customer = customer_with_login(shop)
        points_events_apply(events=[order(customer, at=NOW - timedelta(days=3), amount_minor=150_000)])
    return customer


def test_the_presets_show_in_each_viewers_language(shop, silver):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    chinese = owner.get("/manage/members/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = owner.get("/manage/members/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "白银" in chinese and "钻石" in chinese and ">Silver<" not in chinese
    assert "Silver" in english and "白银" not in english
    customer_page = browser_of(shop, silver).get("/my/membership/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "白银" in customer_page and "黄金" in customer_page  # the tier, and the next one to reach
    with schema_context(shop.schema_name):
        assert list(Tier.objects.filter(rule_set__active=True).values_list("name", flat=True)) == [
            "Bronze", "Silver", "Gold", "Diamond"]  # fmt: skip


def test_a_renamed_tier_shows_as_typed_in_both_languages(shop, silver):
    with schema_context(shop.schema_name):
        tiers = tier_preset(TierBasis.SPEND_VISITS)
        tiers[1]["name"] = "银卡会员"
        tiers[2]["name"] = "Gold Club"
        tier_rules_save(basis=TierBasis.SPEND_VISITS, tiers=tiers)
        Membership.objects.filter(customer=silver).update(tier=Tier.objects.get(rule_set__active=True, rank=1))
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    for language in ("en", "zh-hans"):
        page = owner.get("/manage/members/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "银卡会员" in page and "Gold Club" in page


def test_the_editor_shows_the_presets_in_chinese_and_saving_them_keeps_them_presets(shop, silver,
                                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    editor = owner.get("/manage/members/rules/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="白银"' in editor
    rows = preset_rows()
    rows.update({"t0-name": "青铜", "t1-name": "白银", "t2-name": "黄金", "t3-name": "钻石卡"})
    with django_capture_on_commit_callbacks():
        assert owner.post("/manage/members/rules/", rows, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 302
    with schema_context(shop.schema_name):
        active = TierRuleSet.objects.get(active=True)
        assert list(active.tiers.values_list("name", flat=True)) == ["Bronze", "Silver", "Gold", "钻石卡"]
        with translation.override("en"):
            assert [tier.display_name for tier in active.tiers.all()] == ["Bronze", "Silver", "Gold", "钻石卡"]
