"""Shop credentials pointing at the local fake gateways (real RSA keys, made per test)."""

import pytest

from django.core.cache import cache

from pawpact.payments.gateways import adapters_forget
from pawpact.platform.golive import credential_verify
from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from pawpact.sandbox.gateways.wechat import FakeWechat
from pawpact.tenants.credentials import credential_save, credential_verification_record

APIV3_KEY = "0123456789abcdefABCDEF0123456789"
# Mini-programs' app ids and AppSecrets, as their admin consoles show them.
APPID, SECRET = "wx0123456789abcdef", "0123456789abcdef0123456789abcdef"
OTHER_APPID, OTHER_SECRET = "wxfedcba9876543210", "fedcba9876543210fedcba9876543210"


@pytest.fixture
def fake_alipay(settings):
    gateway = FakeAlipay().start()
    settings.PAWPACT_GATEWAYS = {
        **settings.PAWPACT_GATEWAYS,
        "alipay": {"live": gateway.gateway_url, "test": gateway.gateway_url},
    }
    adapters_forget()
    yield gateway
    gateway.stop()
    adapters_forget()


@pytest.fixture
def fake_wechat(settings):
    gateway = FakeWechat().start()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "wechat": {"live": gateway.url, "test": gateway.url}}
    adapters_forget()
    yield gateway
    gateway.stop()
    adapters_forget()


def alipay_credentials(shop, gateway: FakeAlipay, *, livemode: bool = False, verified: bool = True, key=None):
    """Credentials of a new Alipay app registered at the fake gateway; returns the saved row."""
    key = key or rsa_key_new()
    app_id = gateway.app_register(public_pem(key))
    credential = credential_save(
        shop=shop, provider="alipay", livemode=livemode, config={"app_id": app_id},
        secrets={"app_private_key": private_pem(key), "alipay_public_key": gateway.public_key_pem}, actor=None,
    )  # fmt: skip
    if verified:
        credential_verification_record(credential_id=credential.pk)
    adapters_forget()
    return credential


def wechat_credentials(shop, gateway: FakeWechat, *, livemode: bool = False, mchid: str = "1900000109"):
    key = rsa_key_new()
    serial = f"{abs(hash((shop.pk, livemode, mchid))) % 16**16:016X}"
    appid = "wx" + "a1b2c3d4e5f60718"
    gateway.merchant_register(mchid, public_pem(key), serial, APIV3_KEY, appid)
    credential = credential_save(
        shop=shop, provider="wechat", livemode=livemode,
        config={"mchid": mchid, "appid": appid, "cert_serial_no": serial, "plan_id": "12535"},
        secrets={"private_key": private_pem(key), "apiv3_key": APIV3_KEY}, actor=None,
    )  # fmt: skip
    credential_verification_record(credential_id=credential.pk)
    adapters_forget()
    return credential


@pytest.fixture
def fake_miniprogram(settings):
    cache.clear()
    gateway = FakeWechat().start()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "miniprogram": {"live": gateway.url, "test": gateway.url}}
    adapters_forget()
    yield gateway
    gateway.stop()
    adapters_forget()
    cache.clear()


def miniprogram_credentials(shop, gateway, *, livemode=False, appid=APPID, secret=SECRET, registered_secret=None):
    """The shop's mini-program credentials, registered at the fake and verified there (over HTTP)."""
    gateway.miniprogram_register(appid, registered_secret or secret)
    credential_save(shop=shop, provider="miniprogram", livemode=livemode, config={"appid": appid},
                    secrets={"app_secret": secret}, actor=None)  # fmt: skip
    return credential_verify(shop=shop, provider="miniprogram", livemode=livemode)
