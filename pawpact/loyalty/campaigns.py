"""Campaigns: a coupon or a message to every customer of a segment, sent in the background.

`campaign_create` stores the campaign and queues `campaign_run`, which walks the
segment by customer id in chunks, each chunk committed with the progress so far. Each
customer's coupon is keyed `campaign:<campaign>:<customer>` and their message deduped
on the same key, so a run repeated (a worker lost, a retry) issues and sends nothing
twice. Messages are marketing: over the customer's daily cap they are stored
`suppressed` by messaging. The counts are read back from what was stored: sent (a
customer with at least one message out), suppressed (all held back by the cap), and
redeemed (the campaign's coupons used since).
"""
from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.loyalty.coupon_models import (
    Campaign,
    CampaignKind,
    Coupon,
    CouponStatus,
    CouponTemplate,
    Segment,
)
from pawpact.loyalty.segments import segment_customers
from pawpact.loyalty.tasks import campaign_run_task
from pawpact.messaging.models import Channel

CHUNK = 200
CAMPAIGN_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
TOPIC = "campaign"


def _errors(*, name, segment, kind, template, subject, body) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 60:
        errors["name"] = [_("Enter a name of at most 60 characters.")]
    if not isinstance(segment, Segment):
        errors["segment"] = [_("Choose a segment.")]
    if kind not in CampaignKind.values:
        errors["kind"] = [_("Choose a coupon or a message.")]
    elif kind == CampaignKind.COUPON and not isinstance(template, CouponTemplate):
        errors["template"] = [_("Choose a coupon template.")]
    elif kind == CampaignKind.COUPON and not template.enabled:
        errors["template"] = [_("This coupon template is disabled: enable it, or choose another.")]
    elif kind == CampaignKind.COUPON and template.is_expired:
        errors["template"] = [_("This coupon template expired on %(day)s: extend its dates, or choose another.")
                              % {"day": template.valid_until.isoformat()}]  # fmt: skip
    elif kind == CampaignKind.MESSAGE:
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 80:
            errors["subject"] = [_("Enter a subject of at most 80 characters.")]
        if not isinstance(body, str) or not body.strip() or len(body) > 500:
            errors["body"] = [_("Enter a message of at most 500 characters.")]
    return errors


def campaign_create(*, name, segment, kind, template=None, subject="", body="", clock: Clock = default_clock) -> Campaign:
    """Store the campaign and send it in the background; ValidationFailed, nothing written, on bad input."""
    errors = _errors(name=name, segment=segment, kind=kind, template=template, subject=subject, body=body)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            uuid=uuid.uuid4(), name=name.strip(), segment=segment, kind=kind,
            template=template if kind == CampaignKind.COUPON else None,
            subject=(subject or "").strip(), body=(body or "").strip(),
            total=segment_customers(segment.filters, clock=clock).count(), created_at=clock.now(),
        )  # fmt: skip
        transaction.on_commit(lambda: campaign_run_task.delay(campaign.pk))
    return campaign


def campaign_redeemed(campaign: Campaign) -> int:
    return Coupon.objects.filter(campaign=campaign, status=CouponStatus.USED).count()


def campaign_issued(campaign: Campaign) -> int:
    return Coupon.objects.filter(campaign=campaign).count()
