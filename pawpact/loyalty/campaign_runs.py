"""Sending a campaign: the segment walked by customer id in chunks, each committed with the
progress so far; coupons keyed and messages deduped per customer, so a repeated run sends
nothing twice; the counts read back from what messaging stored (see pawpact.loyalty.campaigns)."""
from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pawpact.core.clock import Clock, default_clock
from pawpact.loyalty.coupon_models import Campaign, CampaignKind, CampaignStatus, Coupon
from pawpact.loyalty.coupons import coupon_issue
from pawpact.loyalty.errors import CouponHeldLimit, CouponTemplateClosed, CouponTotalReached
from pawpact.loyalty.segments import segment_customers
from pawpact.messaging.models import Category, Channel, Message, MessageStatus
from pawpact.messaging.services import MessageDraft, message_send_many

CHUNK = 200
CAMPAIGN_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
TOPIC = "campaign"


def _drafts(campaign: Campaign, customers, coupons: dict[int, Coupon]) -> list[MessageDraft]:
    drafts = []
    for customer in customers:
        if campaign.kind == CampaignKind.COUPON:
            coupon = coupons.get(customer.pk)
            if coupon is None:
                continue  # over the template's limits: nothing to announce
            until = coupon.valid_until.isoformat()
            subject = campaign.template.name
            body = (f"您获得一张优惠券「{coupon.template.name}」，券码 {coupon.code}，{until} 前有效。 / "
                    f"You have a coupon \"{coupon.template.name}\": code {coupon.code}, valid until {until}.")  # fmt: skip
        else:
            subject, body = campaign.subject, campaign.body
        drafts.append(MessageDraft(customer_id=customer.pk, topic=TOPIC, category=Category.MARKETING,
                                   channels=CAMPAIGN_CHANNELS, subject=subject, body=body,
                                   dedupe_key=f"campaign:{campaign.uuid}:{customer.uuid}"))  # fmt: skip
    return drafts


SKIP_FIELDS = {CouponHeldLimit: "skipped_held", CouponTotalReached: "skipped_total",
               CouponTemplateClosed: "skipped_closed"}  # fmt: skip


def _chunk_send(campaign: Campaign, customers: list, clock: Clock) -> Counter:
    """Issue and announce to one chunk; the customers given no coupon, counted by reason."""
    coupons: dict[int, Coupon] = {}
    skipped: Counter = Counter()
    if campaign.kind == CampaignKind.COUPON:
        for customer in customers:
            try:
                with transaction.atomic():
                    coupons[customer.pk] = coupon_issue(
                        template=campaign.template, customer=customer, campaign=campaign,
                        source_key=f"campaign:{campaign.uuid}:{customer.uuid}", clock=clock,
                    )  # fmt: skip
            except (CouponHeldLimit, CouponTotalReached, CouponTemplateClosed) as refused:
                skipped[SKIP_FIELDS[type(refused)]] += 1
    message_send_many(drafts=_drafts(campaign, customers, coupons), clock=clock)
    return skipped


def campaign_run(*, campaign_id: int, chunk: int = CHUNK, clock: Clock = default_clock) -> Campaign:
    """Send the campaign chunk by chunk; a repeated run sends nothing twice and ends with the same counts."""
    campaign = Campaign.objects.select_related("segment", "template").get(pk=campaign_id)
    if campaign.status == CampaignStatus.DONE:
        return campaign
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING, done=0, skipped_held=0,
                                                   skipped_total=0, skipped_closed=0)  # fmt: skip
    customers = segment_customers(campaign.segment.filters, clock=clock)
    Campaign.objects.filter(pk=campaign.pk).update(total=customers.count())
    last_id, done, skipped = 0, 0, Counter()
    while True:
        batch = list(customers.filter(id__gt=last_id)[:chunk])
        if not batch:
            break
        with transaction.atomic():
            skipped += _chunk_send(campaign, batch, clock)
            done += len(batch)
            Campaign.objects.filter(pk=campaign.pk).update(done=done, **skipped)
        last_id = batch[-1].pk
    campaign_count(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DONE, finished_at=timezone.now())
    campaign.refresh_from_db()
    return campaign


def campaign_count(*, campaign: Campaign) -> Campaign:
    """Count sent and suppressed from the messages stored (per customer)."""
    per_customer = (
        Message.objects.filter(topic=TOPIC, dedupe_key__startswith=f"campaign:{campaign.uuid}:")
        .values("customer_id")
        .annotate(out=Count("id", filter=~Q(status=MessageStatus.SUPPRESSED)))
    )
    sent = sum(1 for row in per_customer if row["out"])
    suppressed = sum(1 for row in per_customer if not row["out"])
    Campaign.objects.filter(pk=campaign.pk).update(sent=sent, suppressed=suppressed)
    campaign.sent, campaign.suppressed = sent, suppressed
    return campaign
