"""SMS after it leaves: "not now" refusals retried with back-off, lost answers looked up
before a second send, and the carriers' receipts recorded per message."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.core.clock import FixedClock
from pawpact.customers.models import Customer
from pawpact.messaging.in_flight import messages_retry_due, sms_delivery_counts, sms_receipts_poll
from pawpact.messaging.models import Message
from pawpact.messaging.services import MAX_ATTEMPTS, message_send
from pawpact.messaging.tasks import in_flight_shop_task
from tests.messaging.providers import fake_sms, sms_credentials  # noqa: F401  (fixtures)

LIMIT_CONTROL = "isv.BUSINESS_LIMIT_CONTROL"


@pytest.fixture(autouse=True)
def _provider_backend(settings):
    settings.PAWPACT_MESSAGE_BACKEND = "pawpact.messaging.delivery.ProviderBackend"


def _customer(phone="13800138000") -> Customer:
    return Customer.objects.create(name="Li", phone=phone, birth_date=date(1990, 1, 1))


def _send(customer, key, capture):
    with capture(execute=True):
        [row] = message_send(customer=customer, topic="debit_reminder", category="service", channels=["sms"],
                             subject="", body="您的本期扣款将于3月10日进行。", dedupe_key=key)  # fmt: skip
    return row.pk


def _row(pk):
    row = Message.objects.get(pk=pk)
    return row.status, row.attempts, row.failure_reason


def _later(minutes):
    return FixedClock(timezone.now() + timedelta(minutes=minutes))


def test_flow_control_is_retried_after_a_minute_and_sent_once(shop, fake_sms, django_capture_on_commit_callbacks):
    sms_credentials(shop)
    fake_sms.rate.limit = 0  # Aliyun's flow control refuses every send
    with schema_context(shop.schema_name):
        before = timezone.now()
        pk = _send(_customer(), "reminder:1", django_capture_on_commit_callbacks)
        assert _row(pk) == ("retrying", 1, LIMIT_CONTROL) and fake_sms.sent == []
        retry_at = Message.objects.get(pk=pk).retry_at
        assert timedelta(seconds=59) <= retry_at - before <= timedelta(seconds=75)
        assert messages_retry_due(clock=_later(0)) == 0  # not due yet
        fake_sms.rate.limit = None
        assert messages_retry_due(clock=_later(2)) == 1
        row = Message.objects.get(pk=pk)
        assert (row.status, row.attempts, row.failure_reason, row.retry_at) == ("sent", 2, "", None)
        assert [s["biz_id"] for s in fake_sms.sent] == [row.provider_ref]
        assert messages_retry_due(clock=_later(60)) == 0
    assert len(fake_sms.sent) == 1


def test_a_refusal_about_the_message_fails_at_once(shop, fake_sms, django_capture_on_commit_callbacks):
    sms_credentials(shop, template_code="SMS_999999999")
    with schema_context(shop.schema_name):
        pk = _send(_customer(), "reminder:1", django_capture_on_commit_callbacks)
        assert _row(pk) == ("failed", 1, "isv.SMS_TEMPLATE_ILLEGAL")
        assert Message.objects.get(pk=pk).retry_at is None
        assert messages_retry_due(clock=_later(120)) == 0
    assert fake_sms.sent == []


def test_retries_stop_after_the_last_attempt(shop, fake_sms, django_capture_on_commit_callbacks):
    sms_credentials(shop)
    fake_sms.rate.limit = 0
    with schema_context(shop.schema_name):
        pk = _send(_customer(), "reminder:1", django_capture_on_commit_callbacks)
        minutes = 0
        for expected in range(2, MAX_ATTEMPTS + 1):
            minutes += 40
            assert messages_retry_due(clock=_later(minutes)) == 1
            assert _row(pk)[1] == expected
        assert _row(pk) == ("failed", MAX_ATTEMPTS, LIMIT_CONTROL)
        assert messages_retry_due(clock=_later(minutes + 600)) == 0
        assert sms_delivery_counts(since=timezone.now() - timedelta(days=1))["failed"] == 1
    assert fake_sms.sent == [] and fake_sms.rate.refused == MAX_ATTEMPTS


def test_a_lost_answer_is_looked_up_and_the_message_never_sent_twice(
    shop, fake_sms, django_capture_on_commit_callbacks
):
    sms_credentials(shop)
    fake_sms.fail_next = ["drop"]  # Aliyun takes the message; its answer never arrives
    with schema_context(shop.schema_name):
        pk = _send(_customer(), "reminder:1", django_capture_on_commit_callbacks)
        status, attempts, reason = _row(pk)
        assert (status, attempts) == ("retrying", 1) and reason.startswith("no_answer:")
        assert len(fake_sms.sent) == 1
        assert messages_retry_due(clock=_later(2)) == 1
        assert _row(pk) == ("sent", 2, "")
        counts = sms_delivery_counts(since=timezone.now() - timedelta(days=1))
    assert len(fake_sms.sent) == 1 and fake_sms.sent[0]["out_id"] == "reminder:1#sms"
    assert (counts["sent"], counts["retried"], counts["failed"]) == (1, 1, 0)


def test_receipts_mark_delivered_and_failed_and_leave_the_unreported(
    shop, fake_sms, django_capture_on_commit_callbacks
):
    sms_credentials(shop)
    fake_sms.undeliverable.add("13900139000")
    with schema_context(shop.schema_name):
        ok = _send(_customer("13800138000"), "reminder:ok", django_capture_on_commit_callbacks)
        bad = _send(_customer("13900139000"), "reminder:bad", django_capture_on_commit_callbacks)
        waiting = _send(_customer("13700137000"), "reminder:wait", django_capture_on_commit_callbacks)
        fake_sms.pending.add(Message.objects.get(pk=waiting).provider_ref)
        assert sms_receipts_poll(clock=_later(0)) == 0  # receipts are asked for after a minute
        assert sms_receipts_poll(clock=_later(2)) == 2
        assert _row(ok)[0] == "delivered" and Message.objects.get(pk=ok).delivered_at is not None
        assert _row(bad) == ("failed", 1, "carrier:MK:0001")
        assert _row(waiting) == ("sent", 1, "")
        fake_sms.pending.clear()
        assert sms_receipts_poll(clock=_later(3)) == 1
        assert _row(waiting)[0] == "delivered"
        assert sms_receipts_poll(clock=_later(4)) == 0
        assert sms_receipts_poll(clock=_later(60 * 49)) == 0  # older than two days: no longer asked
        counts = sms_delivery_counts(since=timezone.now() - timedelta(days=1))
    assert (counts["delivered"], counts["failed"], counts["sent"]) == (2, 1, 0)


def test_the_sandbox_reports_every_test_message_delivered(shop, fake_sms, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):  # a test shop without SMS credentials: the sandbox
        pk = _send(_customer(), "reminder:1", django_capture_on_commit_callbacks)
        assert _row(pk) == ("sent", 1, "")
        assert sms_receipts_poll(clock=_later(2)) == 1
        assert _row(pk)[0] == "delivered"
    assert fake_sms.sent == []


def test_a_shops_run_touches_only_its_own_messages(shop, other_shop, fake_sms, django_capture_on_commit_callbacks):
    sms_credentials(shop)
    sms_credentials(other_shop)
    fake_sms.rate.limit = 0
    with schema_context(other_shop.schema_name):
        theirs = _send(_customer(), "reminder:1", django_capture_on_commit_callbacks)
        Message.objects.filter(pk=theirs).update(retry_at=timezone.now() - timedelta(minutes=1))
    fake_sms.rate.limit = None
    with schema_context(shop.schema_name):
        in_flight_shop_task.apply()
    with schema_context(other_shop.schema_name):
        assert _row(theirs) == ("retrying", 1, LIMIT_CONTROL)
    assert fake_sms.sent == []
