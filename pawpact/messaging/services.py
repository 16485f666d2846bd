"""Sending messages to customers: every message the system sends goes through here.

`message_send` stores one row per channel, then hands the rows to the configured
backend (see backends.py) once the transaction commits. Two rules are enforced
centrally, for every sender:

- **Frequency cap.** A customer gets at most `MessagingSettings.marketing_messages_per_day`
  marketing messages in their calendar day (Asia/Shanghai); more are stored with
  status `suppressed` and never delivered. One message sent on two channels counts
  once. Service messages (debit reminders, dunning, contract notices) are exempt and
  cost no cap query at all.
- **Dedupe.** `dedupe_key` names the purpose ("reminder:<contract>:3:2026-03-10");
  the row of each channel is stored under `<dedupe_key>#<channel>` (unique), so a
  rerun of the job that sends it returns the rows already stored and sends nothing.

`message_send_many` is the batched form the daily runs use: one existence query,
one cap query (marketing only) and one INSERT for a whole batch.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Func, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import NotFound, ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.opaque_ids import MESSAGE, opaque_id
from pawpact.customers.models import Customer
from pawpact.messaging.backends import backend_get, backend_is_sandbox, backend_path
from pawpact.messaging.models import Category, Channel, Message, MessageStatus, MessagingSettings
from pawpact.outbox.services import outbox_emit_many
from pawpact.tenants.modes import current_livemode

logger = logging.getLogger(__name__)

# The customer's calendar day, for the cap (customers are in mainland China).
CAP_TIMEZONE = ZoneInfo("Asia/Shanghai")
CHANNEL_SEPARATOR = "#"
_KEY_MAX = Message._meta.get_field("dedupe_key").max_length
_TOPIC_MAX = Message._meta.get_field("topic").max_length
_SUBJECT_MAX = Message._meta.get_field("subject").max_length
_CHANNELS = frozenset(Channel.values)
_CATEGORIES = frozenset(Category.values)
_LONGEST_CHANNEL = max(len(value) for value in _CHANNELS)
_INSERT_RETRIES = 3
SANDBOX_REFUSED = "sandbox_in_live_mode: the shop is live and its message backend is a sandbox"


@dataclass(frozen=True)
class MessageDraft:
    """One message to send (to every channel listed), for `message_send_many`."""

    customer_id: int
    topic: str
    category: str
    channels: tuple[str, ...]
    subject: str
    body: str
    dedupe_key: str


def channel_dedupe_key(dedupe_key: str, channel: str) -> str:
    """The stored (unique) key of one channel's row."""
    return f"{dedupe_key}{CHANNEL_SEPARATOR}{channel}"


def message_send(
    *,
    customer: Customer,
    topic: str,
    category: str,
    channels: Sequence[str],
    subject: str,
    body: str,
    dedupe_key: str,
    clock: Clock = default_clock,
) -> list[Message]:
    """Store and send one message on each of `channels`; the rows, in channel order.

    Marketing messages over the customer's daily cap are stored `suppressed`. A
    repeated `dedupe_key` returns the rows stored the first time and sends nothing.
    """
    if not isinstance(customer, Customer) or customer.pk is None:
        raise ValidationFailed(_("Choose a customer to message."), fields={"customer": [_("Unknown customer.")]})
    channel_list = tuple(channels) if isinstance(channels, list | tuple) else channels
    draft = MessageDraft(
        customer_id=customer.pk,
        topic=topic,
        category=category,
        channels=channel_list,  # type: ignore[arg-type]
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
    )
    return message_send_many(drafts=[draft], clock=clock)


def message_send_many(*, drafts: Sequence[MessageDraft], clock: Clock = default_clock) -> list[Message]:
    """Store and send many messages at once: every draft's rows (new or already stored), in order.

    The cap applies across the batch too: two marketing drafts for one customer
    in one call are counted like two calls.
    """
    if not drafts:
        return []
    for draft in drafts:
        _draft_check(draft)
    keys_seen: set[str] = set()
    for draft in drafts:
        if draft.dedupe_key in keys_seen:
            raise ValidationFailed(
                _("Two messages in one batch share a dedupe key."), fields={"dedupe_key": [draft.dedupe_key]}
            )
        keys_seen.add(draft.dedupe_key)
    for attempt in range(_INSERT_RETRIES):
        try:
            with transaction.atomic():
                return _store(drafts=drafts, now=clock.now())
        except IntegrityError:
            # A concurrent sender stored one of these keys first: its rows now exist
            # (it committed), so the next pass finds and returns them.
            if attempt == _INSERT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _store(*, drafts: Sequence[MessageDraft], now: datetime) -> list[Message]:
    all_keys = [channel_dedupe_key(d.dedupe_key, channel) for d in drafts for channel in d.channels]
    existing = _existing(all_keys)

    pending = [d for d in drafts if any(channel_dedupe_key(d.dedupe_key, c) not in existing for c in d.channels)]
    statuses = _statuses(drafts=pending, existing=existing, now=now)

    path = backend_path()
    # A live shop's SMS and email never go to a sandbox backend: refused, and stored as failed.
    livemode = current_livemode()
    refused = livemode and backend_is_sandbox(path)
    new_rows: list[Message] = []
    for draft in pending:
        for channel in draft.channels:
            key = channel_dedupe_key(draft.dedupe_key, channel)
            if key in existing:
                continue
            status, reason = statuses[draft.dedupe_key], ""
            if refused and channel != Channel.IN_APP and status == MessageStatus.SENT:
                status, reason = MessageStatus.FAILED, SANDBOX_REFUSED
            new_rows.append(
                Message(
                    customer_id=draft.customer_id,
                    channel=channel,
                    category=draft.category,
                    topic=draft.topic,
                    subject=draft.subject,
                    body=draft.body,
                    dedupe_key=key,
                    status=status,
                    backend=path if status == MessageStatus.SENT else "",
                    failure_reason=reason,
                    created_at=now,
                )
            )
    if new_rows:
        _insert(new_rows)
        to_deliver = [row for row in new_rows if row.status == MessageStatus.SENT]
        _sent_events(to_deliver, now, livemode)
        if to_deliver:
            transaction.on_commit(lambda: _deliver(to_deliver))
    by_key = {**existing, **{row.dedupe_key: row for row in new_rows}}
    return [by_key[channel_dedupe_key(d.dedupe_key, c)] for d in drafts for c in d.channels]


def _sent_events(rows: list[Message], now: datetime, livemode: bool) -> None:
    """One `message.sent` fact per message that went out, for the shop's webhook subscribers."""
    if not rows:
        return
    uuids = dict(Customer.objects.filter(pk__in={row.customer_id for row in rows}).values_list("pk", "uuid"))
    facts = [(uuids[row.customer_id], {
        "message_id": opaque_id(MESSAGE, row.pk), "customer_uuid": str(uuids[row.customer_id]), "channel": row.channel,
        "category": row.category, "topic": row.topic, "at": now.isoformat(),
    }) for row in rows]  # fmt: skip
    outbox_emit_many(kind=EventKind.MESSAGE_SENT, facts=facts, livemode=livemode)


def _raw_cursor() -> psycopg.Cursor:
    """A server-side-binding cursor on Django's connection (same transaction): large array
    parameters are sent as they are instead of being quoted into the SQL text."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _table() -> str:
    # Qualified: a raw cursor does not go through django-tenants' search_path handling.
    return f'"{connection.schema_name}"."{Message._meta.db_table}"'


def _existing(keys: list[str]) -> dict[str, Message]:
    """The stored rows among `keys` (one cheap query when there are none, the usual case)."""
    with connection.wrap_database_errors, _raw_cursor() as cursor:
        cursor.execute(f"SELECT dedupe_key FROM {_table()} WHERE dedupe_key = ANY(%s)", [keys])
        found = [row[0] for row in cursor.fetchall()]
    if not found:
        return {}
    return {m.dedupe_key: m for m in Message.objects.filter(dedupe_key__in=found)}


_COPY_COLUMNS = (
    "id", "customer_id", "channel", "category", "topic", "subject", "body", "dedupe_key", "status", "backend",
    "failure_reason", "provider_ref", "created_at",
)  # fmt: skip


def _insert(rows: list[Message]) -> None:
    """Insert new rows with COPY (about twice as fast as INSERT for a batch), ids drawn from
    the table's sequence first so the rows come back with their primary keys."""
    table = _table()
    with connection.wrap_database_errors, _raw_cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        with cursor.copy(f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (row.pk, row.customer_id, row.channel, row.category, row.topic, row.subject, row.body,
                     row.dedupe_key, row.status, row.backend, row.failure_reason, row.provider_ref, row.created_at)
                )  # fmt: skip
    for row in rows:
        row._state.adding = False


def _statuses(*, drafts: Sequence[MessageDraft], existing: dict[str, Message], now: datetime) -> dict[str, str]:
    """Each pending draft's status: sent, or suppressed by the marketing cap."""
    statuses: dict[str, str] = {}
    marketing: list[MessageDraft] = []
    for draft in drafts:
        stored = [existing[k] for c in draft.channels if (k := channel_dedupe_key(draft.dedupe_key, c)) in existing]
        if stored:
            statuses[draft.dedupe_key] = stored[0].status  # a channel added later follows the first decision
        elif draft.category == Category.MARKETING:
            marketing.append(draft)
        else:
            statuses[draft.dedupe_key] = MessageStatus.SENT
    if not marketing:
        return statuses

    cap = messaging_settings_get().marketing_messages_per_day
    customer_ids = sorted({d.customer_id for d in marketing})
    # Serialise marketing sends per customer, so two concurrent senders cannot both
    # take the last slot of the day.
    list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk").values_list("pk", flat=True))
    start, end = cap_day_window(now)
    sent_today = dict(
        Message.objects.filter(
            customer_id__in=customer_ids,
            category=Category.MARKETING,
            status=MessageStatus.SENT,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(purpose=Func(F("dedupe_key"), Value(f"{CHANNEL_SEPARATOR}[^{CHANNEL_SEPARATOR}]*$"), Value(""),
                               function="regexp_replace"))  # fmt: skip
        .values("customer_id")
        .annotate(n=Count("purpose", distinct=True))
        .values_list("customer_id", "n")
    )
    counts: dict[int, int] = defaultdict(int, sent_today)
    for draft in marketing:
        if counts[draft.customer_id] < cap:
            counts[draft.customer_id] += 1
            statuses[draft.dedupe_key] = MessageStatus.SENT
        else:
            statuses[draft.dedupe_key] = MessageStatus.SUPPRESSED
    return statuses


def cap_day_window(now: datetime) -> tuple[datetime, datetime]:
    """The customer's calendar day containing `now`, as [start, end) instants."""
    day = now.astimezone(CAP_TIMEZONE).date()
    start = datetime.combine(day, time.min, tzinfo=CAP_TIMEZONE)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=CAP_TIMEZONE)
    return start, end


def _deliver(messages: list[Message]) -> None:
    """Hand committed rows to the backend; if it raises, they are marked failed."""
    try:
        backend_get().send_messages(messages)
    except Exception:
        logger.exception("Message backend %s failed for %d message(s)", backend_path(), len(messages))
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(status=MessageStatus.FAILED)


@dataclass(frozen=True)
class DeliveryOutcome:
    """What a provider did with one stored message: accepted it (its id), or refused it (why).

    `retry`: the refusal was "not now" (flow control, the provider's fault, no answer), so
    the message is sent again later, up to MAX_ATTEMPTS attempts in all."""

    message_id: int
    provider_ref: str = ""
    failure: str = ""
    retry: bool = False


MAX_ATTEMPTS = 4
# After the 1st, 2nd and 3rd attempt: long enough for flow control and short outages to pass.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


def messages_delivery_record(*, outcomes: Sequence[DeliveryOutcome], now: datetime | None = None) -> None:
    """Record each attempt: the provider's id, a retry later, or failed with the reason."""
    if not outcomes:
        return
    now = now or timezone.now()
    with transaction.atomic():
        rows = Message.objects.in_bulk([o.message_id for o in outcomes])
        for outcome in outcomes:
            row = rows[outcome.message_id]
            row.attempts += 1
            row.provider_ref, row.retry_at = outcome.provider_ref[:100], None
            if not outcome.failure:
                row.status, row.failure_reason = MessageStatus.SENT, ""
            elif outcome.retry and row.attempts < MAX_ATTEMPTS:
                row.status, row.failure_reason = MessageStatus.RETRYING, outcome.failure[:200]
                row.retry_at = now + RETRY_AFTER[row.attempts - 1]
            else:
                row.status, row.failure_reason = MessageStatus.FAILED, outcome.failure[:200]
        fields = ["provider_ref", "status", "failure_reason", "attempts", "retry_at"]
        Message.objects.bulk_update(rows.values(), fields)
    failed = sum(1 for o in outcomes if o.failure)
    if failed:
        logger.warning("%d of %d message(s) were refused by their provider", failed, len(outcomes))


def _draft_check(draft: MessageDraft) -> None:
    errors: dict[str, list[str]] = {}
    channels = draft.channels
    if not isinstance(channels, tuple) or not channels:
        errors["channels"] = [_("Choose at least one channel.")]
    elif any(c not in _CHANNELS for c in channels):
        errors["channels"] = [_("Unknown channel: use one of %(choices)s.") % {"choices": ", ".join(Channel.values)}]
    elif len(set(channels)) != len(channels):
        errors["channels"] = [_("A channel is listed twice.")]
    if draft.category not in _CATEGORIES:
        errors["category"] = [_("Use one of %(choices)s.") % {"choices": ", ".join(Category.values)}]
    if not isinstance(draft.topic, str) or not draft.topic.strip() or len(draft.topic) > _TOPIC_MAX:
        errors["topic"] = [_("Give a topic of 1 to %(max)d characters.") % {"max": _TOPIC_MAX}]
    if not isinstance(draft.subject, str) or len(draft.subject) > _SUBJECT_MAX:
        errors["subject"] = [_("Use at most %(max)d characters.") % {"max": _SUBJECT_MAX}]
    if not isinstance(draft.body, str) or not draft.body.strip():
        errors["body"] = [_("The message is empty.")]
    key_max = _KEY_MAX - len(CHANNEL_SEPARATOR) - _LONGEST_CHANNEL
    if not isinstance(draft.dedupe_key, str) or not draft.dedupe_key.strip() or len(draft.dedupe_key) > key_max:
        errors["dedupe_key"] = [_("Give a dedupe key of 1 to %(max)d characters.") % {"max": key_max}]
    elif CHANNEL_SEPARATOR in draft.dedupe_key:
        errors["dedupe_key"] = [_("A dedupe key may not contain “#”.")]
    if errors:
        raise ValidationFailed(_("The message cannot be sent."), fields=errors)


def message_mark_read(*, message_id: int, customer: Customer, clock: Clock = default_clock) -> Message:
    """The customer has read one of their own messages (idempotent: the first read time stays)."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, customer=customer, status=MessageStatus.SENT)
            .first()
            if isinstance(message_id, int) and not isinstance(message_id, bool)
            else None
        )
        if message is None:
            raise NotFound(_("Not found."))
        if message.read_at is None:
            message.read_at = clock.now()
            message.save(update_fields=["read_at"])
    return message


def messaging_settings_get() -> MessagingSettings:
    """The current shop's messaging rules, created with the defaults on first use."""
    row = MessagingSettings.objects.filter(pk=1).first()
    if row is None:
        row, _created = MessagingSettings.objects.get_or_create(pk=1)
    return row


MAX_MARKETING_PER_DAY = 5


def messaging_settings_update(*, marketing_messages_per_day: int) -> MessagingSettings:
    """The shop's daily cap on marketing messages per customer (0: none at all; at most 5)."""
    value = marketing_messages_per_day
    if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MARKETING_PER_DAY):
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"marketing_messages_per_day": [_("Allow 0 to %(n)s marketing messages a day.") % {"n": MAX_MARKETING_PER_DAY}]},
        )
    with transaction.atomic():
        row = messaging_settings_get()
        MessagingSettings.objects.filter(pk=row.pk).update(marketing_messages_per_day=value)
        row.marketing_messages_per_day = value
    return row


def messages_mark_read(*, customer: Customer, clock: Clock = default_clock) -> int:
    """Every unread in-app message of the customer read now (they opened their messages)."""
    return Message.objects.filter(customer=customer, channel=Channel.IN_APP, read_at__isnull=True).update(read_at=clock.now())
