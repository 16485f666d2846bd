"""Segments count their members; a campaign sends to them in the background, honouring the
marketing cap, counts sent / suppressed / redeemed, and a re-run sends nothing twice."""
from datetime import timedelta

import pytest

from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty.campaign_runs import campaign_count, campaign_run
from pawpact.loyalty.campaigns import campaign_create, campaign_redeemed
from pawpact.loyalty.coupon_models import Campaign, Coupon, Segment
from pawpact.loyalty.coupons import coupon_redeem_order
from pawpact.loyalty.models import Membership
from pawpact.loyalty.segments import segment_customers, segment_save
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from tests.loyalty.conftest import NOW, member
from tests.loyalty.coupon_helpers import amount_off
from tests.loyalty.helpers import monthly_debits

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def _shop_of_five():
    customers = [member() for _ in range(5)]
    Customer.objects.filter(pk__in=[c.pk for c in customers[:3]]).update(created_at=NOW - timedelta(days=100))
    for customer in customers[:2]:
        monthly_debits(customer, count=2, last=NOW - timedelta(days=3))
    return customers


def test_segments_select_by_activity_and_rfm():
    customers = _shop_of_five()
    active = segment_save(name="Active", filters={"activity": "active"})
    silent = segment_save(name="Silent", filters={"activity": "silent"})
    new = segment_save(name="New", filters={"activity": "new"})
    assert [c.pk for c in segment_customers(active.filters)] == [c.pk for c in customers[:2]]
    assert [c.pk for c in segment_customers(silent.filters)] == [customers[2].pk]
    assert segment_customers(new.filters).count() == 2
    Membership.objects.filter(customer=customers[0]).update(rfm_recency=5, rfm_frequency=4, rfm_monetary=5)
    best = segment_save(name="Best", filters={"r_min": 5, "m_min": 4})
    assert [c.pk for c in segment_customers(best.filters)] == [customers[0].pk]


@pytest.mark.parametrize("filters", [{"activity": "sleepy"}, {"r_min": 6}, {"r_min": "5"}, {"colour": "red"}, []])
def test_bad_segment_filters_write_nothing(filters):
    with pytest.raises(ValidationFailed):
        segment_save(name="Bad", filters=filters)
    assert Segment.objects.count() == 0


def test_a_coupon_campaign_honours_the_cap_counts_and_reruns_without_doubles(django_capture_on_commit_callbacks):
    customers = _shop_of_five()
    segment = segment_save(name="Everyone", filters={})
    capped = customers[4]
    message_send(customer=capped, topic="promo", category="marketing", channels=("sms",), subject="s", body="b",
                 dedupe_key="earlier-today")  # the daily cap of 1 is used up  # fmt: skip
    template = amount_off(1_000)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(name="Spring", segment=segment, kind="coupon", template=template)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.total, campaign.done, campaign.sent, campaign.suppressed) == ("done", 5, 5, 4, 1)
    assert Coupon.objects.filter(campaign=campaign).count() == 5
    messages = Message.objects.filter(topic="campaign").count()
    Campaign.objects.filter(pk=campaign.pk).update(status="running")  # a worker lost mid-run: the retry
    again = campaign_run(campaign_id=campaign.pk)
    assert (again.sent, again.suppressed, again.done) == (4, 1, 5)
    assert Coupon.objects.filter(campaign=campaign).count() == 5 and Message.objects.filter(topic="campaign").count() == messages
    coupon = Coupon.objects.get(campaign=campaign, customer=customers[0])
    coupon_redeem_order(customer=customers[0], coupon_code=coupon.code, order_uuid="o-1", amount_minor=1_000)
    assert campaign_redeemed(campaign) == 1


def test_a_message_campaign_and_bad_campaigns(django_capture_on_commit_callbacks):
    _shop_of_five()
    segment = segment_save(name="Silent", filters={"activity": "silent"})
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(name="Miss you", segment=segment, kind="message", subject="We miss you",
                                   body="Come by for a free check-up.")  # fmt: skip
    campaign.refresh_from_db()
    assert (campaign.total, campaign.sent, campaign.suppressed) == (1, 1, 0)
    assert campaign_count(campaign=campaign).sent == 1
    for bad in ({"kind": "coupon"}, {"kind": "message", "subject": ""}, {"kind": "fax"}):
        with pytest.raises(ValidationFailed):
            campaign_create(name="Bad", segment=segment, **bad)
    assert Campaign.objects.count() == 1
