"""message_send: one row per channel, the marketing cap per customer day, dedupe, backends, bad input."""
import io
from datetime import date

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer
from pawpact.messaging import backends, services
from pawpact.messaging.models import Message
from pawpact.messaging.services import MessageDraft, message_send, message_send_many, messaging_settings_get
from tests.billing.lifecycle.messages.helpers import clock_on

DAY = date(2026, 3, 7)


def _customer(n: int = 1) -> Customer:
    return Customer.objects.create(name=f"Li {n}", phone=f"+8613900000{n:03d}", birth_date=date(1990, 1, 1))


def _send(customer, key: str, *, category: str = "marketing", clock, channels=("sms", "in_app"), body="Hello"):
    return message_send(
        customer=customer, topic="promo", category=category, channels=list(channels), subject="Hi", body=body,
        dedupe_key=key, clock=clock,
    )  # fmt: skip


def _statuses(messages) -> list[tuple[str, str]]:
    return [(m.channel, m.status) for m in messages]


def test_one_row_per_channel_in_channel_order(shop):
    with schema_context(shop.schema_name):
        customer = _customer()
        messages = _send(customer, "welcome:1", category="service", clock=clock_on(DAY))
        assert _statuses(messages) == [("sms", "sent"), ("in_app", "sent")]
        assert [m.dedupe_key for m in messages] == ["welcome:1#sms", "welcome:1#in_app"]
        assert Message.objects.count() == 2
        assert all(m.pk for m in messages)


def test_the_second_marketing_message_of_the_day_is_suppressed_service_is_exempt_next_day_allowed(shop):
    with schema_context(shop.schema_name):
        customer, other = _customer(1), _customer(2)
        morning = clock_on(DAY, 9)
        assert _statuses(_send(customer, "promo:a", clock=morning)) == [("sms", "sent"), ("in_app", "sent")]
        # 23:59 in Beijing, the same calendar day: over the cap of one.
        late = clock_on(DAY, 23, 59)
        assert _statuses(_send(customer, "promo:b", clock=late)) == [("sms", "suppressed"), ("in_app", "suppressed")]
        # Service messages are exempt, and do not count.
        assert _statuses(_send(customer, "notice:c", category="service", clock=late)) == [
            ("sms", "sent"), ("in_app", "sent"),
        ]  # fmt: skip
        # Another customer has their own cap.
        assert _statuses(_send(other, "promo:d", clock=late)) == [("sms", "sent"), ("in_app", "sent")]
        # 00:00 the next day in Beijing (still 7 March in UTC): allowed again.
        midnight = clock_on(date(2026, 3, 8), 0, 0)
        assert midnight.at.date() == DAY  # UTC
        assert _statuses(_send(customer, "promo:e", clock=midnight)) == [("sms", "sent"), ("in_app", "sent")]
        assert _statuses(_send(customer, "promo:f", clock=midnight)) == [("sms", "suppressed"), ("in_app", "suppressed")]
        assert Message.objects.filter(status="suppressed", backend="").count() == 4


def test_the_cap_is_configurable_and_counts_a_message_on_two_channels_once(shop):
    with schema_context(shop.schema_name):
        settings_row = messaging_settings_get()
        settings_row.marketing_messages_per_day = 2
        settings_row.save()
        customer = _customer()
        clock = clock_on(DAY)
        assert _statuses(_send(customer, "p:1", clock=clock)) == [("sms", "sent"), ("in_app", "sent")]
        assert _statuses(_send(customer, "p:2", clock=clock, channels=["in_app"])) == [("in_app", "sent")]
        assert _statuses(_send(customer, "p:3", clock=clock, channels=["sms"])) == [("sms", "suppressed")]


def test_the_cap_applies_inside_one_batch(shop):
    with schema_context(shop.schema_name):
        customer = _customer()
        drafts = [
            MessageDraft(customer_id=customer.pk, topic="promo", category="marketing", channels=("sms",),
                         subject="", body=f"Offer {n}", dedupe_key=f"batch:{n}")
            for n in range(3)
        ]  # fmt: skip
        rows = message_send_many(drafts=drafts, clock=clock_on(DAY))
        assert [(m.body, m.status) for m in rows] == [
            ("Offer 0", "sent"), ("Offer 1", "suppressed"), ("Offer 2", "suppressed"),
        ]  # fmt: skip


def test_a_repeated_dedupe_key_returns_the_stored_rows_and_sends_nothing(shop):
    with schema_context(shop.schema_name):
        customer = _customer()
        first = _send(customer, "promo:a", clock=clock_on(DAY))
        suppressed = _send(customer, "promo:b", clock=clock_on(DAY))
        # Rerun, even on another day and with another text: the same rows, unchanged.
        again = _send(customer, "promo:a", clock=clock_on(date(2026, 3, 9)), body="Changed")
        suppressed_again = _send(customer, "promo:b", clock=clock_on(date(2026, 3, 9)))
        assert [m.pk for m in again] == [m.pk for m in first]
        assert [m.body for m in again] == ["Hello", "Hello"]
        assert [(m.pk, m.status) for m in suppressed_again] == [(m.pk, "suppressed") for m in suppressed]
        assert Message.objects.count() == 4


def _statements(monkeypatch) -> list[str]:
    """Record the first word of every statement: the ORM's and the raw cursor's."""
    seen: list[str] = []

    class Recording(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            seen.append(str(query).split()[0])
            return super().execute(query, params, **kwargs)

        def copy(self, statement, *args, **kwargs):
            seen.append(str(statement).split()[0])
            return super().copy(statement, *args, **kwargs)

    def raw_cursor():
        connection.ensure_connection()
        return Recording(connection.connection)

    monkeypatch.setattr(services, "_raw_cursor", raw_cursor)
    return seen


def test_service_messages_cost_no_query_per_message(shop, monkeypatch):
    with schema_context(shop.schema_name):
        customers = [_customer(n) for n in range(1, 41)]
        messaging_settings_get()
        drafts = [
            MessageDraft(customer_id=c.pk, topic="debit_reminder", category="service", channels=("sms", "in_app"),
                         subject="", body="Reminder", dedupe_key=f"r:{c.pk}")
            for c in customers
        ]  # fmt: skip
        raw = _statements(monkeypatch)
        with CaptureQueriesContext(connection) as queries:
            rows = message_send_many(drafts=drafts, clock=clock_on(DAY))
        assert len(rows) == 80
        assert [m.pk for m in rows] == list(Message.objects.order_by("id").values_list("id", flat=True))
        # The same statements for 40 messages as for 1: no cap query for service messages
        # (django-tenants' "SET search_path" before each ORM statement aside), and one read of
        # the shop's mode (a live shop's SMS never goes to a sandbox backend), then the customers'
        # uuids and one INSERT of every message.sent event for webhooks.
        orm = [q["sql"].split()[0] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
        assert orm == ["SAVEPOINT", "SELECT", "SELECT", "INSERT", "RELEASE"]
        assert raw == ["SELECT", "SELECT", "COPY"]  # existence check, 80 ids, the rows


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"channels": []}, "channels"),
        ({"channels": ["fax"]}, "channels"),
        ({"channels": ["sms", "sms"]}, "channels"),
        ({"category": "spam"}, "category"),
        ({"body": "  "}, "body"),
        ({"topic": ""}, "topic"),
        ({"dedupe_key": ""}, "dedupe_key"),
        ({"dedupe_key": "a#b"}, "dedupe_key"),
        ({"dedupe_key": "k" * 200}, "dedupe_key"),
        ({"subject": "s" * 201}, "subject"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(shop, changes, field):
    with schema_context(shop.schema_name):
        customer = _customer()
        arguments = {
            "customer": customer, "topic": "promo", "category": "marketing", "channels": ["sms"], "subject": "",
            "body": "Hello", "dedupe_key": "promo:1", "clock": clock_on(DAY), **changes,
        }  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            message_send(**arguments)
        assert field in refused.value.fields
        assert Message.objects.count() == 0


def test_an_unsaved_customer_is_refused(shop):
    with schema_context(shop.schema_name):
        with pytest.raises(ValidationFailed):
            _send(Customer(name="Ghost"), "x:1", clock=clock_on(DAY))
        assert Message.objects.count() == 0


def test_the_console_backend_prints_and_stores_after_commit(shop, django_capture_on_commit_callbacks, capsys):
    with schema_context(shop.schema_name):
        customer = _customer()
        with override_settings(PAWPACT_MESSAGE_BACKEND="pawpact.messaging.backends.ConsoleBackend"):
            with django_capture_on_commit_callbacks(execute=True):
                messages = _send(customer, "n:1", category="service", clock=clock_on(DAY), body="Your box ships")
                assert "Your box ships" not in capsys.readouterr().out  # not before commit
        printed = capsys.readouterr().out
        assert printed.count("Your box ships") == 2
        assert "[sms/service]" in printed and "[in_app/service]" in printed
        assert {m.backend for m in Message.objects.all()} == {"pawpact.messaging.backends.ConsoleBackend"}
        assert [m.status for m in messages] == ["sent", "sent"]


class Exploding(backends.BaseBackend):
    def send_messages(self, messages):
        raise ConnectionError("gateway down")


def test_a_failing_backend_marks_the_rows_failed(shop, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        customer = _customer()
        with override_settings(PAWPACT_MESSAGE_BACKEND=f"{__name__}.Exploding"):
            with django_capture_on_commit_callbacks(execute=True):
                _send(customer, "n:1", category="service", clock=clock_on(DAY))
        assert list(Message.objects.values_list("status", flat=True)) == ["failed", "failed"]


def test_the_console_backend_writes_to_a_given_stream():
    stream = io.StringIO()
    message = Message(customer_id=7, channel="sms", category="service", topic="t", subject="S", body="B")
    assert backends.ConsoleBackend(stream=stream).send_messages([message]) == 1
    assert stream.getvalue() == "[sms/service] to customer 7 (t) S\nB\n" + "-" * 40 + "\n"
    assert backends.backend_path() == "pawpact.messaging.backends.DatabaseBackend"


def test_a_live_shop_never_counts_sms_as_sent_through_the_sandbox_backend(shop):
    """Live mode refuses the sandbox backend: SMS and email are stored as failed, with the reason."""
    from pawpact.tenants.models import Shop

    Shop.objects.filter(pk=shop.pk).update(mode="live")
    with schema_context(shop.schema_name):
        messages = _send(_customer(7), "live-1", category="service", clock=clock_on(date(2026, 3, 10)),
                         channels=("sms", "email", "in_app"))  # fmt: skip
        rows = {m.channel: (m.status, m.failure_reason[:20], m.backend) for m in Message.objects.filter(pk__in=[m.pk for m in messages])}
    assert rows == {
        "sms": ("failed", "sandbox_in_live_mode", ""),
        "email": ("failed", "sandbox_in_live_mode", ""),
        "in_app": ("sent", "", "pawpact.messaging.backends.DatabaseBackend"),
    }
