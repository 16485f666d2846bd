"""Fixtures: the fake Aliyun SMS and Postmark gateways, and shop credentials pointing at them."""

import pytest

from pawpact.payments.gateways import adapters_forget
from pawpact.sandbox.gateways.aliyun_sms import FakeAliyunSms
from pawpact.sandbox.gateways.postmark import FakePostmark
from pawpact.tenants.credentials import credential_save, credential_verification_record

SMS_SECRET = "AliyunSecret0123456789abcdef"
SMS_CONFIG = {"access_key_id": "LTAI5tShopKey0001", "sign_name": "快乐爪爪", "template_code": "SMS_100000001"}
POSTMARK_TOKEN = "postmark-server-token-0001"
SENDER = "hello@alpha-pets.example"


@pytest.fixture
def fake_sms(settings):
    gateway = FakeAliyunSms().start()
    gateway.account_register(SMS_CONFIG["access_key_id"], SMS_SECRET)
    gateway.sign_register(SMS_CONFIG["sign_name"])
    gateway.template_register(SMS_CONFIG["template_code"])
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "aliyun_sms": {"live": gateway.url, "test": gateway.url}}
    adapters_forget()
    yield gateway
    gateway.stop()
    adapters_forget()


@pytest.fixture
def fake_postmark(settings):
    gateway = FakePostmark().start()
    gateway.server_register(POSTMARK_TOKEN, sender=SENDER)
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "email": {"live": gateway.url, "test": gateway.url}}
    adapters_forget()
    yield gateway
    gateway.stop()
    adapters_forget()


def sms_credentials(shop, *, livemode=False, verified=True, secret=SMS_SECRET, **config):
    row = credential_save(shop=shop, provider="aliyun_sms", livemode=livemode, actor=None,
                          config={**SMS_CONFIG, **config}, secrets={"access_key_secret": secret})  # fmt: skip
    if verified:
        credential_verification_record(credential_id=row.pk)
    adapters_forget()
    return row


def email_credentials(shop, *, livemode=False, verified=True, token=POSTMARK_TOKEN, sender=SENDER):
    row = credential_save(shop=shop, provider="email", livemode=livemode, actor=None,
                          config={"esp": "postmark", "from_email": sender}, secrets={"api_key": token})  # fmt: skip
    if verified:
        credential_verification_record(credential_id=row.pk)
    adapters_forget()
    return row
