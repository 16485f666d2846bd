"""SMS providers: Aliyun SMS (短信服务) for real, and a sandbox for test mode.

Aliyun is reached through its official SDK (`alibabacloud-dysmsapi20170525`): it signs every
request (ACS3-HMAC-SHA256) and speaks the SendSms / QuerySmsSign actions, so nothing of the
protocol is hand-written here. Each shop sends with its own AccessKey, under its own
approved signature (签名) and template (模板): a mainland SMS carries only an approved
template, so our message text is the template's `${content}` variable.

The sandbox provider validates and renders the same message and answers with a local id,
reaching nobody: it serves test mode only and refuses a live message.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySmsSignRequest, SendSmsRequest
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions
from django.utils.translation import gettext as _

from pawpact.tenants.credentials import Credentials
from pawpact.tenants.modes import sandbox_refuse_in_live

logger = logging.getLogger(__name__)
TIMEOUT_MS = 5000
MAINLAND_MOBILE = re.compile(r"1\d{10}")
# Aliyun caps a template variable's value; longer texts are cut (with an ellipsis) rather than refused.
MAX_CONTENT = 300
SIGN_APPROVED = 1


class SmsFailed(Exception):
    """The provider did not accept the message: `code` is its reason, kept on the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SmsReceipt:
    provider_ref: str


def mobile_clean(phone: str) -> str:
    """A mainland mobile number as Aliyun takes it (11 digits), or SmsFailed."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MAINLAND_MOBILE.fullmatch(digits):
        raise SmsFailed("invalid_phone")
    return digits


def content_clean(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_CONTENT else text[: MAX_CONTENT - 1] + "…"


class AliyunSms:
    """One shop's Aliyun SMS account, for one mode (its endpoint per mode comes from settings)."""

    is_sandbox = False

    def __init__(self, *, credentials: Credentials, endpoint: str) -> None:
        self.credentials = credentials
        scheme, _sep, host = endpoint.rpartition("://")
        self._client = Client(
            Config(
                access_key_id=credentials.config["access_key_id"],
                access_key_secret=credentials.secrets["access_key_secret"],
                endpoint=host,
                protocol=scheme or "https",
                read_timeout=TIMEOUT_MS,
                connect_timeout=TIMEOUT_MS,
            )
        )
        # One attempt per call: a retry is the messaging layer's decision, never the SDK's.
        self._runtime = RuntimeOptions(autoretry=False, max_attempts=1, read_timeout=TIMEOUT_MS, connect_timeout=TIMEOUT_MS)

    def send(self, *, phone: str, text: str, out_id: str) -> SmsReceipt:
        request = SendSmsRequest(
            phone_numbers=mobile_clean(phone),
            sign_name=self.credentials.config["sign_name"],
            template_code=self.credentials.config["template_code"],
            template_param=json.dumps({"content": content_clean(text)}, ensure_ascii=False),
            out_id=out_id[:64],
        )
        body = self._call(lambda: self._client.send_sms_with_options(request, self._runtime))
        if body.code != "OK":
            raise SmsFailed(body.code or "unknown")
        return SmsReceipt(provider_ref=body.biz_id)

    def verify(self) -> None:
        """Prove the AccessKey works and the signature is approved; SmsFailed says why not."""
        request = QuerySmsSignRequest(sign_name=self.credentials.config["sign_name"])
        body = self._call(lambda: self._client.query_sms_sign_with_options(request, self._runtime))
        if body.code != "OK":
            raise SmsFailed(body.code or "unknown")
        if body.sign_status != SIGN_APPROVED:
            raise SmsFailed("sign_not_approved")

    @staticmethod
    def _call(call):
        try:
            return call().body
        except Exception as error:  # the SDK raises its own types for refusals and network errors alike
            code = getattr(error, "code", None) or type(error).__name__
            logger.warning("Aliyun SMS call failed: %s", code)
            raise SmsFailed(str(code)) from None


class SandboxSms:
    """Test mode's SMS: the message is checked and rendered like a real one, and reaches nobody."""

    is_sandbox = True

    def __init__(self, *, livemode: bool) -> None:
        sandbox_refuse_in_live(provider=_("The sandbox SMS provider"), livemode=livemode)

    def send(self, *, phone: str, text: str, out_id: str) -> SmsReceipt:
        mobile_clean(phone)
        content_clean(text)
        return SmsReceipt(provider_ref=f"sandbox-{secrets.token_hex(8)}")
