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
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest, QuerySmsSignRequest, SendSmsRequest
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.customers.services import phone_normalize
from pawpact.tenants.credentials import Credentials
from pawpact.tenants.modes import sandbox_refuse_in_live

logger = logging.getLogger(__name__)
TIMEOUT_MS = 5000
# Aliyun caps a template variable's value; longer texts are cut (with an ellipsis) rather than refused.
MAX_CONTENT = 300
SIGN_APPROVED = 1
# Aliyun's answers that mean "not now": its flow control and its own faults. Any other
# refusal is about the message or the account, and sending it again cannot help.
TRANSIENT_CODES = frozenset({
    "isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "Throttling", "Throttling.User",
    "ServiceUnavailable",
})  # fmt: skip
# QuerySendDetails' SendStatus: 1 waiting for the carrier, 2 failed, 3 delivered.
SEND_FAILED, SEND_DELIVERED = 2, 3
# Our code for a call that got no answer from Aliyun at all (network, DNS, TLS, timeout).
UNREACHABLE = "unreachable"
# What an admin reads when Aliyun refuses credentials: its codes are for developers.
REASONS = {
    UNREACHABLE: gettext_lazy("Could not reach Aliyun SMS. Check the server's network and try again."),
    "InvalidAccessKeyId.NotFound": gettext_lazy("Aliyun does not know this AccessKey ID."),
    "InvalidAccessKeyId": gettext_lazy("Aliyun does not know this AccessKey ID."),
    "InvalidAccessKeyId.Inactive": gettext_lazy("This AccessKey is disabled at Aliyun."),
    "SignatureDoesNotMatch": gettext_lazy("Aliyun rejected the AccessKey secret: it does not belong to this AccessKey ID."),
    "IncompleteSignature": gettext_lazy("Aliyun rejected the AccessKey secret: it does not belong to this AccessKey ID."),
    "Forbidden.RAM": gettext_lazy("This AccessKey is not allowed to use Aliyun SMS (grant it the SMS permission)."),
    "NoPermission": gettext_lazy("This AccessKey is not allowed to use Aliyun SMS (grant it the SMS permission)."),
    "isv.SMS_SIGN_ILLEGAL": gettext_lazy("Aliyun has no SMS signature of this name on the account."),
    "isv.SMS_SIGNATURE_ILLEGAL": gettext_lazy("Aliyun has no SMS signature of this name on the account."),
    "sign_not_approved": gettext_lazy("The SMS signature is not approved by Aliyun yet."),
    "isv.SMS_TEMPLATE_ILLEGAL": gettext_lazy("Aliyun has no approved SMS template with this code."),
    "isv.BUSINESS_LIMIT_CONTROL": gettext_lazy("Aliyun is limiting requests right now; try again in a minute."),
    "Throttling": gettext_lazy("Aliyun is limiting requests right now; try again in a minute."),
    "invalid_phone": gettext_lazy("This is not a mobile number an SMS can reach."),
    "intl_not_configured": gettext_lazy(
        "The number is outside the mainland and the shop has no Aliyun signature and template approved for "
        "international SMS; add them to its SMS credentials."),
    "isv.AMOUNT_NOT_ENOUGH": gettext_lazy("The Aliyun account has no SMS balance left."),
    "isv.OUT_OF_SERVICE": gettext_lazy("The Aliyun account is suspended (no balance)."),
}


def sms_reason(code: str) -> str:
    """An Aliyun answer as an admin reads it, in the active language."""
    known = REASONS.get(code)
    return str(known) if known else _("Aliyun refused: %(code)s.") % {"code": code or "?"}
BEIJING = ZoneInfo("Asia/Shanghai")  # Aliyun's send dates and receipt times
# What the sandbox keeps of its texts per number: enough to read the latest codes.
SANDBOX_INBOX_SIZE, SANDBOX_INBOX_SECONDS = 20, 24 * 3600


class SmsFailed(Exception):
    """The provider did not accept the message: `code` is its reason, kept on the message.

    `no_answer`: the request may have reached Aliyun (a timeout, a dropped connection, a
    5xx), so the message may have been sent; it is looked up before any second send."""

    def __init__(self, code: str, *, no_answer: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.no_answer = no_answer

    @property
    def is_transient(self) -> bool:
        return self.no_answer or self.code in TRANSIENT_CODES


@dataclass(frozen=True)
class SmsReceipt:
    provider_ref: str


@dataclass(frozen=True)
class SmsReport:
    """The carrier's word on one message: delivered, failed (with its code), or not yet."""

    delivered: bool | None
    code: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class SmsNumber:
    """A number as Aliyun takes it (a mainland mobile's 11 digits; otherwise country code and
    number, without "+") and the route it goes by."""

    digits: str
    mainland: bool


def sms_number(phone: str) -> SmsNumber:
    """Where a text to `phone` goes, or SmsFailed("invalid_phone")."""
    normalized = phone_normalize(phone or "")
    if normalized is None:
        raise SmsFailed("invalid_phone")
    if normalized.startswith("+"):
        return SmsNumber(normalized[1:], mainland=False)
    return SmsNumber(normalized, mainland=True)


def mobile_clean(phone: str) -> str:
    """A mobile number as Aliyun takes it, or SmsFailed."""
    return sms_number(phone).digits


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
        number = sms_number(phone)
        sign, template = self._route(number)
        request = SendSmsRequest(
            phone_numbers=number.digits,
            sign_name=sign,
            template_code=template,
            template_param=json.dumps({"content": content_clean(text)}, ensure_ascii=False),
            out_id=out_id[:64],
        )
        body = self._call(lambda: self._client.send_sms_with_options(request, self._runtime))
        if body.code != "OK":
            raise SmsFailed(body.code or "unknown")
        return SmsReceipt(provider_ref=body.biz_id)

    def _route(self, number: SmsNumber) -> tuple[str, str]:
        """(signature, template) of the number's route: Aliyun refuses a mainland template abroad."""
        config = self.credentials.config
        if number.mainland:
            return config["sign_name"], config["template_code"]
        if not config.get("intl_template_code"):
            raise SmsFailed("intl_not_configured")
        return config.get("intl_sign_name") or config["sign_name"], config["intl_template_code"]

    def sent_lookup(self, *, phone: str, out_id: str, sent_on: date) -> bool:
        """Whether Aliyun took our message `out_id` that day (asked after an answer was lost)."""
        return any(d.out_id == out_id[:64] for d in self._details(phone=phone, biz_id="", sent_on=sent_on))

    def report(self, *, phone: str, out_id: str, provider_ref: str, sent_on: date) -> SmsReport:
        """The carrier's receipt of one sent message (Aliyun keeps them 30 days)."""
        for detail in self._details(phone=phone, biz_id=provider_ref, sent_on=sent_on):
            if detail.out_id != out_id[:64]:
                continue
            at = _beijing(detail.receive_date)
            if detail.send_status == SEND_DELIVERED:
                return SmsReport(delivered=True, code=detail.err_code or "", at=at)
            if detail.send_status == SEND_FAILED:
                return SmsReport(delivered=False, code=detail.err_code or "unknown", at=at)
        return SmsReport(delivered=None)

    def _details(self, *, phone: str, biz_id: str, sent_on: date) -> list:
        request = QuerySendDetailsRequest(
            phone_number=mobile_clean(phone), biz_id=biz_id or None, send_date=sent_on.strftime("%Y%m%d"),
            page_size=50, current_page=1,
        )  # fmt: skip
        body = self._call(lambda: self._client.query_send_details_with_options(request, self._runtime))
        if body.code != "OK":
            raise SmsFailed(body.code or "unknown")
        dtos = body.sms_send_detail_dtos
        return list(dtos.sms_send_detail_dto or []) if dtos else []

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
            code = getattr(error, "code", None)
            status = getattr(error, "status_code", None) or getattr(error, "statusCode", None) or 0
            no_answer = not code or int(status) >= 500
            # Without a code Aliyun never answered: the SDK's exception name tells an admin nothing.
            logger.warning("Aliyun SMS call failed: %s", code or type(error).__name__)
            raise SmsFailed(str(code or UNREACHABLE), no_answer=no_answer) from None


def _beijing(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


class SandboxSms:
    """Test mode's SMS: the message is checked and rendered like a real one, and reaches nobody."""

    is_sandbox = True

    def __init__(self, *, livemode: bool) -> None:
        sandbox_refuse_in_live(provider=_("The sandbox SMS provider"), livemode=livemode)

    def send(self, *, phone: str, text: str, out_id: str) -> SmsReceipt:
        mobile_clean(phone)
        receipt = SmsReceipt(provider_ref=f"sandbox-{secrets.token_hex(8)}")
        sandbox_inbox_record(phone=phone, text=content_clean(text), provider_ref=receipt.provider_ref)
        return receipt

    def sent_lookup(self, *, phone: str, out_id: str, sent_on: date) -> bool:
        return False  # the sandbox answers every send, so no answer is ever lost

    def report(self, *, phone: str, out_id: str, provider_ref: str, sent_on: date) -> SmsReport:
        return SmsReport(delivered=True, code="DELIVERED")


def _inbox_key(phone: str) -> str:
    return "sandbox-sms:" + mobile_clean(phone)


def sandbox_inbox_record(*, phone: str, text: str, provider_ref: str) -> None:
    """Keep a sandbox text where the shop's developers can read it (the cache is per shop): a
    test number has no handset, and a registration cannot be finished without its code."""
    kept = cache.get(_inbox_key(phone), [])
    entry = {"phone": mobile_clean(phone), "text": text, "id": provider_ref, "sent_at": timezone.now().isoformat()}
    cache.set(_inbox_key(phone), [entry, *kept][:SANDBOX_INBOX_SIZE], SANDBOX_INBOX_SECONDS)


def sandbox_inbox(*, phone: str) -> list[dict]:
    """The last texts the sandbox "sent" to `phone` in this shop, newest first; `sent_at` a
    datetime, shown like every time of the API (the shop's offset)."""
    return [
        {**entry, "sent_at": datetime.fromisoformat(entry["sent_at"])} for entry in cache.get(_inbox_key(phone), [])
    ]
