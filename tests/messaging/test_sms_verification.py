"""Verifying SMS credentials: the admin reads a reason, never an SDK's exception name, and
test credentials are checked against a local fake Aliyun, never the real network."""
import socket
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.core.clock import FixedClock
from pawpact.customers.models import Customer
from pawpact.messaging.delivery import sms_provider
from pawpact.messaging.in_flight import sms_delivery_counts, sms_receipts_poll
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from pawpact.messaging.sms import SandboxSms
from pawpact.platform.golive import credential_verify
from tests.messaging.providers import fake_sms, sms_credentials  # noqa: F401  (a fixture)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_test_gateway(settings):
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "aliyun_sms": {"live": "https://dysmsapi.invalid", "test": ""}}


def test_an_unreachable_aliyun_reads_as_a_reason_in_both_languages(shop, settings):
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS,
                                 "aliyun_sms": {"live": f"http://127.0.0.1:{_closed_port()}", "test": ""}}  # fmt: skip
    sms_credentials(shop, livemode=True, verified=False)
    with translation.override("en"):
        row = credential_verify(shop=shop, provider="aliyun_sms", livemode=True)
    assert (row.is_verified, row.verification_error) == (
        False, "Could not reach Aliyun SMS. Check the server's network and try again."
    )
    with translation.override("zh-hans"):
        row = credential_verify(shop=shop, provider="aliyun_sms", livemode=True)
    assert row.verification_error == "无法连接阿里云短信服务。请检查服务器网络后重试。"
    assert "Exception" not in row.verification_error


def test_a_wrong_secret_is_named_as_such(shop, fake_sms):
    sms_credentials(shop, livemode=True, verified=False, secret="WrongSecret0123456789abcdef")
    row = credential_verify(shop=shop, provider="aliyun_sms", livemode=True)
    assert row.verification_error == "Aliyun rejected the AccessKey secret: it does not belong to this AccessKey ID."
    assert fake_sms.rejected == ["SignatureDoesNotMatch"]


def test_test_credentials_are_verified_against_a_local_fake_not_the_network(shop, no_test_gateway, monkeypatch):
    calls = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        calls.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    sms_credentials(shop, livemode=False, verified=False)
    row = credential_verify(shop=shop, provider="aliyun_sms", livemode=False)
    assert (row.is_verified, row.verification_error) == (True, "")
    assert calls and all(host == "127.0.0.1" for host, *_port in calls)


def test_a_test_shop_with_test_credentials_and_no_test_gateway_sends_through_the_sandbox(
    shop, no_test_gateway, settings, django_capture_on_commit_callbacks
):
    settings.PAWPACT_MESSAGE_BACKEND = "pawpact.messaging.delivery.ProviderBackend"
    sms_credentials(shop, livemode=False)
    with schema_context(shop.schema_name):
        assert isinstance(sms_provider(livemode=False), SandboxSms)
        user = User.objects.create_user("li@example.com", "x-Secret-123", name="Li")
        customer = Customer.objects.create(name="Li", phone="13800138000", birth_date=date(1990, 1, 1), user=user)
        with django_capture_on_commit_callbacks(execute=True):
            message_send(customer=customer, topic="debit_reminder", category="service", channels=["sms"],
                         subject="扣款提醒", body="您的本期扣款将于3月10日进行。", dedupe_key="reminder:1")  # fmt: skip
        assert Message.objects.get().status == "sent"
        # The sandbox answers the receipt query like a carrier: the count reaches "delivered".
        assert sms_receipts_poll(clock=FixedClock(timezone.now() + timedelta(minutes=2))) == 1
        counts = sms_delivery_counts(since=timezone.now() - timedelta(days=1))
    assert (counts["delivered"], counts["sent"], counts["failed"]) == (1, 0, 0)
