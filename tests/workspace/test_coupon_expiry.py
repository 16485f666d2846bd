"""Coupon templates past their last day: saved with a warning, listed as expired, never offered
to a campaign and refused with the reason when posted; a campaign counts every customer of its
segment (issued, or skipped with the reason) so its figures add up."""
from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.customers.models import Customer
from pawpact.loyalty.campaign_runs import campaign_run
from pawpact.loyalty.campaigns import campaign_create
from pawpact.loyalty.coupon_models import Campaign, Coupon, CouponTemplate
from pawpact.loyalty.coupons import coupon_issue
from pawpact.loyalty.segments import segment_save
from pawpact.workspace.enums import Role
from tests.loyalty.coupon_helpers import amount_off, fixed
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def test_an_expired_template_is_warned_listed_and_refused_by_campaigns(shop):
    client = client_for(shop, staff_user(shop, Role.OWNER))
    last_day = date.today() - timedelta(days=3)
    saved = client.post("/manage/marketing/templates/new/", {
        "name": "Spring ¥20", "kind": "amount_off", "amount_off": "20", "valid_from": "2026-01-01",
        "valid_until": last_day.isoformat(), "per_customer_limit": "1"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)  # fmt: skip
    page = saved.content.decode()
    assert f"its last day ({last_day.isoformat()}) has passed" in page
    assert "Expired</span>" in page and ">Enabled<" not in page
    with schema_context(shop.schema_name):
        template = CouponTemplate.objects.get()
        segment = segment_save(name="All", filters={})
        Customer.objects.create(name="Zhang Wei", phone="13800000001", birth_date=date(1990, 1, 1))
    form = client.get("/manage/marketing/campaigns/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Spring ¥20" not in form
    refused = client.post("/manage/marketing/campaigns/", {"name": "Spring", "segment": segment.pk, "kind": "coupon",
                                                           "template": template.pk}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert refused.status_code == 400
    assert f"This coupon template expired on {last_day.isoformat()}" in refused.content.decode()
    with schema_context(shop.schema_name):
        assert Campaign.objects.count() == 0 and Coupon.objects.count() == 0


def test_a_campaign_counts_every_customer_with_the_reason_none_was_given(shop):
    with schema_context(shop.schema_name):
        template = amount_off(2_000, per_customer_limit=1)
        customers = [Customer.objects.create(name=f"顾客 {n}", phone=f"1380000020{n}", birth_date=date(1990, 1, 1))
                     for n in range(8)]  # fmt: skip
        coupon_issue(template=template, customer=customers[3], source_key="earlier")
        campaign = campaign_create(name="Autumn", segment=segment_save(name="All", filters={}), kind="coupon",
                                   template=template)  # fmt: skip
        campaign = campaign_run(campaign_id=campaign.pk)
        assert (campaign.total, campaign.skipped_held, campaign.skipped_total, campaign.skipped_closed) == (8, 1, 0, 0)
        assert Coupon.objects.filter(campaign=campaign).count() == 7 and campaign.sent + campaign.suppressed == 7
        assert campaign_run(campaign_id=campaign.pk).skipped_held == 1  # done: a repeat changes nothing
    client = client_for(shop, staff_user(shop, Role.OWNER))
    page = client.get(f"/manage/marketing/campaigns/{campaign.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "8 customers: 7 given a coupon, 1 skipped." in page
    assert "Skipped: already held as many as allowed" in page


def test_a_template_closing_mid_run_is_counted_as_its_own_reason(shop):
    with schema_context(shop.schema_name):
        limited = amount_off(1_000, total_limit=2)
        for n in range(3):
            Customer.objects.create(name=f"顾客 {n}", phone=f"1380000030{n}", birth_date=date(1990, 1, 1))
        campaign = campaign_create(name="Few", segment=segment_save(name="All", filters={}), kind="coupon",
                                   template=limited)  # fmt: skip
        campaign = campaign_run(campaign_id=campaign.pk)
        assert (campaign.total, Coupon.objects.filter(campaign=campaign).count(), campaign.skipped_total) == (3, 2, 1)
        old = fixed("amount_off", date(2020, 1, 1), date(2020, 2, 1), amount_off_minor=500)
        assert old.is_expired and not limited.is_expired
