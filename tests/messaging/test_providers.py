"""Real message providers: Aliyun SMS and email (anymail) per shop and mode; sandboxes in test mode only."""

from datetime import date

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.customers.models import Customer
from pawpact.messaging.email import SandboxEmail
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from pawpact.messaging.sms import SandboxSms
from pawpact.payments.gateways import adapters_forget
from pawpact.platform.golive import credential_verify
from pawpact.tenants.errors import SandboxRefusedInLiveMode
from pawpact.tenants.models import Shop
from tests.messaging.providers import (  # noqa: F401  (fixtures)
    SENDER,
    email_credentials,
    fake_postmark,
    fake_sms,
    sms_credentials,
)

BACKEND = "pawpact.messaging.delivery.ProviderBackend"


@pytest.fixture(autouse=True)
def _provider_backend(settings):
    settings.PAWPACT_MESSAGE_BACKEND = BACKEND


def _customer(phone="+86 138 0013 8000", email="li@example.com") -> Customer:
    user = User.objects.create_user(email, "x-Secret-123", name="Li") if email else None
    return Customer.objects.create(name="Li", phone=phone, birth_date=date(1990, 1, 1), user=user)


def _send(customer, key, channels=("sms", "in_app", "email"), body="您的本期扣款将于3月10日进行。"):
    return message_send(customer=customer, topic="debit_reminder", category="service", channels=list(channels),
                        subject="扣款提醒", body=body, dedupe_key=key)  # fmt: skip


def _live(shop):
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    adapters_forget()


def _rows():
    return {m.channel: (m.status, m.failure_reason, m.provider_ref) for m in Message.objects.all()}


def test_a_test_shop_with_test_credentials_sends_through_its_own_accounts(
    shop, fake_sms, fake_postmark, django_capture_on_commit_callbacks
):
    sms_credentials(shop)
    email_credentials(shop)
    with schema_context(shop.schema_name):
        customer = _customer()
        with django_capture_on_commit_callbacks(execute=True):
            _send(customer, "reminder:1")
        rows = _rows()
    [sms] = fake_sms.sent
    assert (sms["phone"], sms["sign"], sms["template"]) == ("13800138000", "快乐爪爪", "SMS_100000001")
    assert sms["params"] == {"content": "您的本期扣款将于3月10日进行。"} and sms["out_id"] == "reminder:1#sms"
    [email] = fake_postmark.sent
    assert (email["From"], email["To"], email["Subject"]) == (SENDER, "li@example.com", "扣款提醒")
    assert rows == {"sms": ("sent", "", sms["biz_id"]), "email": ("sent", "", email["MessageID"]),
                    "in_app": ("sent", "", "")}  # fmt: skip


def test_a_test_shop_without_credentials_uses_the_sandboxes_which_reach_nobody(
    shop, fake_sms, fake_postmark, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with schema_context(shop.schema_name):
        customer = _customer()
        with django_capture_on_commit_callbacks(execute=True):
            _send(customer, "reminder:1")
        rows = _rows()
    assert fake_sms.sent == [] and fake_postmark.sent == []
    assert rows["sms"][:2] == ("sent", "") and rows["sms"][2].startswith("sandbox-")
    assert rows["email"][:2] == ("sent", "") and rows["email"][2].startswith("sandbox-")
    assert [m.to for m in mail.outbox] == [["li@example.com"]]


def test_a_live_shop_sends_only_with_verified_live_credentials_never_the_sandbox(
    shop, fake_sms, fake_postmark, django_capture_on_commit_callbacks
):
    sms_credentials(shop)  # test credentials do not serve live messages
    email_credentials(shop, livemode=True, verified=False)  # entered, not verified
    _live(shop)
    mail.outbox = []
    with schema_context(shop.schema_name):
        customer = _customer()
        with django_capture_on_commit_callbacks(execute=True):
            _send(customer, "reminder:1")
        rows = _rows()
    assert fake_sms.sent == [] and fake_postmark.sent == [] and mail.outbox == []
    assert rows["sms"][0] == rows["email"][0] == "failed"
    assert rows["sms"][1].startswith("credentials_missing") and rows["email"][1].startswith("credentials_missing")
    assert rows["in_app"] == ("sent", "", "")
    sms_credentials(shop, livemode=True)
    email_credentials(shop, livemode=True)
    with schema_context(shop.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            _send(Customer.objects.get(), "reminder:2")
        statuses = dict(Message.objects.filter(dedupe_key__startswith="reminder:2").values_list("channel", "status"))
    assert statuses == {"sms": "sent", "email": "sent", "in_app": "sent"}
    assert len(fake_sms.sent) == 1 and len(fake_postmark.sent) == 1


def test_the_sandboxes_refuse_live_mode():
    with pytest.raises(SandboxRefusedInLiveMode):
        SandboxSms(livemode=True)
    with pytest.raises(SandboxRefusedInLiveMode):
        SandboxEmail(livemode=True, sender=SENDER)


def test_provider_refusals_are_kept_on_each_message(shop, fake_sms, fake_postmark, django_capture_on_commit_callbacks):
    sms_credentials(shop, secret="WrongSecret0123456789abcdef")
    email_credentials(shop)
    fake_postmark.inactive.add("li@example.com")
    with schema_context(shop.schema_name):
        customer = _customer()
        with django_capture_on_commit_callbacks(execute=True):
            _send(customer, "reminder:1", channels=("sms", "email"))
        rows = _rows()
    assert rows == {"sms": ("failed", "SignatureDoesNotMatch", ""), "email": ("failed", "recipient_rejected", "")}
    assert fake_sms.sent == [] and fake_postmark.sent == [] and fake_sms.rejected == ["SignatureDoesNotMatch"]


def test_a_bad_phone_or_no_email_fails_that_message_only(shop, fake_sms, django_capture_on_commit_callbacks):
    sms_credentials(shop)
    with schema_context(shop.schema_name):
        customer = _customer(phone="12345", email=None)
        with django_capture_on_commit_callbacks(execute=True):
            _send(customer, "reminder:1")
        rows = _rows()
    assert rows["sms"] == ("failed", "invalid_phone", "") and rows["email"][:2] == ("failed", "no_email")
    assert rows["in_app"] == ("sent", "", "") and fake_sms.sent == []


def test_each_shop_sends_with_its_own_credentials_only(
    shop, other_shop, fake_sms, django_capture_on_commit_callbacks
):
    sms_credentials(shop, livemode=True)
    _live(other_shop)
    with schema_context(other_shop.schema_name):
        customer = _customer()
        with django_capture_on_commit_callbacks(execute=True):
            _send(customer, "reminder:1", channels=("sms",))
        rows = _rows()
    assert rows["sms"][0] == "failed" and rows["sms"][1].startswith("credentials_missing")
    assert fake_sms.sent == []


def test_verifying_sms_and_email_credentials_asks_the_provider(shop, fake_sms, fake_postmark):
    row = sms_credentials(shop, livemode=True, verified=False, sign_name="未审核签名")
    fake_sms.sign_register("未审核签名", approved=False)
    assert credential_verify(shop=shop, provider="aliyun_sms", livemode=True).verification_error == (
        "The SMS signature is not approved by Aliyun yet."
    )
    fake_sms.sign_register("未审核签名", approved=True)
    assert credential_verify(shop=shop, provider="aliyun_sms", livemode=True).is_verified
    assert row.pk == shop.credentials.get(provider="aliyun_sms").pk
    email_credentials(shop, livemode=True, verified=False, sender="unconfirmed@alpha-pets.example")
    checked = credential_verify(shop=shop, provider="email", livemode=True)
    assert not checked.is_verified and checked.verification_error.startswith("The email provider refused the request")
    email_credentials(shop, livemode=True, verified=False)
    assert credential_verify(shop=shop, provider="email", livemode=True).is_verified
    assert [m["To"] for m in fake_postmark.sent] == [SENDER]
