"""The OpenSSL client signs exactly as python-alipay-sdk does and verifies the same answers."""

from alipay import AliPay

from pawpact.payments.alipay_sdk import OpenSSLAliPay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new

APP_KEY = rsa_key_new()
ALIPAY_KEY = rsa_key_new()
TEXT = 'app_id=2021000000000001&biz_content={"out_trade_no":"pp1","total_amount":"399.00"}&charset=utf-8&method=alipay.trade.pay'


def clients() -> tuple[AliPay, OpenSSLAliPay]:
    keys = {"app_private_key_string": private_pem(APP_KEY), "alipay_public_key_string": public_pem(ALIPAY_KEY)}
    return AliPay(appid="2021000000000001", **keys), OpenSSLAliPay(appid="2021000000000001", **keys)


def test_the_signature_is_byte_for_byte_the_sdks():
    sdk, openssl = clients()

    assert openssl._sign(TEXT) == sdk._sign(TEXT)
    assert openssl.sign_data({"method": "alipay.trade.pay", "biz_content": {"a": "五"}}) == sdk.sign_data(
        {"method": "alipay.trade.pay", "biz_content": {"a": "五"}}
    )


def test_an_answer_signed_by_alipay_verifies_and_a_changed_one_does_not():
    sdk, openssl = clients()
    alipay_side = AliPay(appid="x", app_private_key_string=private_pem(ALIPAY_KEY),
                         alipay_public_key_string=public_pem(APP_KEY))  # fmt: skip
    signature = alipay_side._sign(TEXT)

    assert openssl._verify(TEXT, signature) is True
    assert sdk._verify(TEXT, signature) is True
    assert openssl._verify(TEXT.replace("399.00", "3.99"), signature) is False
    assert openssl._verify(TEXT, "not base64 at all!") is False
    assert openssl._verify(TEXT, signature[:-8] + "AAAAAAA=") is False
