"""Messages after they leave: retries of "not now" refusals, and the carriers' receipts.

A provider accepting an SMS (`sent`) is not the phone getting it: the carrier reports
later. Every few minutes each shop asks its SMS provider for the outcome of the messages
it sent in the last two days (Aliyun's QuerySendDetails, signed by the official SDK) and
records `delivered`, or `failed` with the carrier's code. Aliyun can also push receipts to
a URL; polling needs no public endpoint per shop, and a receipt fetched with the shop's own
AccessKey cannot be forged.

Messages the provider refused with "not now" wait in `retrying` until their `retry_at`
(services.RETRY_AFTER) and are sent again by the same backend; an attempt that got no
answer asks the provider first whether the message went out, so none is sent twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.messaging.backends import backend_get
from pawpact.messaging.delivery import ProviderBackend, beijing_date, sms_provider
from pawpact.messaging.models import Channel, Message, MessageStatus
from pawpact.messaging.sms import SmsFailed
from pawpact.tenants.modes import current_livemode

logger = logging.getLogger(__name__)
RECEIPT_WINDOW = timedelta(hours=48)  # carriers report within hours; after two days we stop asking
RECEIPT_DELAY = timedelta(minutes=1)
BATCH = 200


def messages_retry_due(*, clock: Clock = default_clock) -> int:
    """Send again the messages whose retry time has come; returns how many were attempted."""
    with transaction.atomic():
        rows = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.RETRYING, retry_at__lte=clock.now())
            .order_by("retry_at", "id")[:BATCH]
        )
        for path in {row.backend for row in rows}:
            backend_get(path).send_messages([row for row in rows if row.backend == path])
    return len(rows)


def sms_receipts_poll(*, clock: Clock = default_clock) -> int:
    """Record the carriers' receipts of SMS sent by the provider backend; returns how many came."""
    now = clock.now()
    rows = list(
        Message.objects.select_related("customer")
        .filter(channel=Channel.SMS, status=MessageStatus.SENT, backend=ProviderBackend.path())
        .filter(created_at__gte=now - RECEIPT_WINDOW, created_at__lte=now - RECEIPT_DELAY)
        .order_by("created_at", "id")[:BATCH]
    )
    if not rows:
        return 0
    try:
        provider = sms_provider(livemode=current_livemode())
    except DomainError as refused:  # a live shop whose SMS account was removed: nothing to ask
        logger.warning("SMS receipts not collected: %s", refused.code)
        return 0
    reported = []
    for row in rows:
        try:
            report = provider.report(
                phone=row.customer.phone, out_id=row.dedupe_key, provider_ref=row.provider_ref,
                sent_on=beijing_date(row.created_at),
            )  # fmt: skip
        except SmsFailed as failed:
            logger.warning("SMS receipts unavailable, asking again at the next run: %s", failed.code)
            break
        if report.delivered is None:
            continue
        row.delivered_at = report.at or now
        if report.delivered:
            row.status = MessageStatus.DELIVERED
        else:
            row.status, row.failure_reason = MessageStatus.FAILED, f"carrier:{report.code}"[:200]
        reported.append(row)
    Message.objects.bulk_update(reported, ["status", "failure_reason", "delivered_at"])
    return len(reported)


def sms_delivery_counts(*, since) -> dict[str, int]:
    """SMS since a time by outcome, and how many needed more than one attempt (for the shop's page)."""
    counts = Message.objects.filter(channel=Channel.SMS, created_at__gte=since).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in MessageStatus.values},
        retried=Count("id", filter=Q(attempts__gt=1)),
    )
    return {key: int(value) for key, value in counts.items()}
