"""WeChat Pay 委托代扣 (papay, APIv3), through `wechatpayv3`'s signed request core.

`wechatpayv3` has no papay calls, so its `Core` does what it does well: signs each request
(WECHATPAY2-SHA256-RSA2048), downloads and decrypts the platform certificates
(AEAD_AES_256_GCM with the APIv3 key), verifies every answer's signature, and verifies and
decrypts notifications. The papay paths and bodies are ours:

- `contract_presign`: POST /v3/papay/sign/contracts/pre-entrust-sign — the page (H5 or a
  QR code, or the mini-program) where the customer signs; WeChat then notifies PAPAY.SIGN
  with the `contract_id`;
- `pre_debit_notify`: POST /v3/papay/contracts/{contract_id}/notify — the notice WeChat
  requires before each debit (the rail policy's pre_debit_notice_days), with the amount;
- `charge`: POST /v3/papay/pay/transactions/apply, out_trade_no from our idempotency key;
  WeChat accepts and debits asynchronously, so the order is asked for at once and the
  outcome is unknown until the TRANSACTION notification or a later `query`
  (GET /v3/pay/transactions/out-trade-no/{no});
- `contract_terminate`, `refund` (POST /v3/refund/domestic/refunds, out_refund_no from
  the refund's key).
Notification timestamps older or newer than five minutes are refused, as WeChat advises.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import time
from datetime import date

from django.utils.translation import gettext as _
from wechatpayv3.core import Core
from wechatpayv3.type import RequestType

from pawpact.core.money import Money
from pawpact.payments.base import FLOW_LIMITED, ChargeResult, StatementLine
from pawpact.payments.enums import DeclineType, Rail
from pawpact.payments.errors import NotificationRejected, ProviderRefused, RefundFailed
from pawpact.payments.gateways import adapter_for_current_shop, gateway_url, out_trade_no
from pawpact.payments.throttle import throttle
from pawpact.tenants.credentials import Credentials
from pawpact.tenants.enums import Provider

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
NOTIFICATION_TOLERANCE_SECONDS = 300
NETWORK_ERROR = "network_error"
HARD_CODES = frozenset({"CONTRACT_ERROR", "CONTRACT_NOT_EXIST", "USER_NOT_EXIST", "USER_ACCOUNT_ABNORMAL", "NO_AUTH"})
SOFT_CODES = frozenset({"NOT_ENOUGH", "RULE_LIMIT", "PAYERROR", "CLOSED"})
# A debit may follow the notice for this many days (WeChat's default deduct duration).
DEDUCT_DURATION_DAYS = 7


class _NoAnswer(Exception):
    pass


class _Core(Core):
    """The SDK's core, pointed at `gateway` before it first downloads the platform certificates."""

    def __init__(self, *, gateway: str, **kwargs) -> None:
        self._pawpact_gateway = gateway
        super().__init__(**kwargs)

    def _init_certificates(self) -> None:
        self._gate_way = self._pawpact_gateway
        super()._init_certificates()


class WechatRail:
    name = "wechat"

    def __init__(
        self, *, credentials: Credentials, gateway: str, notify_url: str = "", timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.credentials = credentials
        self.notify_url = notify_url
        self.gateway = gateway
        self._timeout = timeout
        self._core_instance: _Core | None = None

    @classmethod
    def for_current_shop(cls, *, livemode: bool) -> WechatRail:
        gateway = gateway_url(Provider.WECHAT, livemode=livemode)
        return adapter_for_current_shop(
            Provider.WECHAT,
            livemode=livemode,
            build=lambda creds, url: cls(credentials=creds, gateway=gateway, notify_url=url),
        )

    @property
    def mchid(self) -> str:
        return self.credentials.config["mchid"]

    @property
    def appid(self) -> str:
        return self.credentials.config["appid"]

    @property
    def _core(self) -> _Core:
        # Built on first use: it downloads the platform certificates, a network call.
        if self._core_instance is None:
            self._core_instance = _Core(
                gateway=self.gateway, mchid=self.mchid, cert_serial_no=self.credentials.config["cert_serial_no"],
                private_key=self.credentials.secrets["private_key"], apiv3_key=self.credentials.secrets["apiv3_key"],
                timeout=self._timeout,
            )  # fmt: skip
        return self._core_instance

    def call(self, path: str, method: RequestType = RequestType.GET, data: dict | None = None) -> tuple[int, dict]:
        """One signed request; (HTTP status, the verified JSON answer or {}), within the merchant's rate limit."""
        throttle(Rail.WECHAT)
        try:
            status, text = self._core.request(path, method=method, data=data)
        except Exception as error:
            raise _NoAnswer(type(error).__name__) from error
        if isinstance(text, bytes):
            text = text.decode() if text else ""
        try:
            return status, json.loads(text) if text else {}
        except ValueError:
            return status, {"code": "UNREADABLE"}

    def verify(self) -> None:
        """Prove the credentials work: the platform certificates download and decrypt with them."""
        try:
            status, _answer = self.call("/v3/certificates")
        except _NoAnswer as error:
            raise ProviderRefused(_("WeChat Pay refused the credentials (%(reason)s).") % {"reason": error}) from None
        if status != 200:
            raise ProviderRefused(_("WeChat Pay refused the credentials (HTTP %(status)s).") % {"status": status})

    # --- contracts ------------------------------------------------------------------

    def _contract_call(self, path: str, method: RequestType, data: dict | None = None) -> dict:
        try:
            status, answer = self.call(path, method, data)
        except _NoAnswer as error:
            raise ProviderRefused(_("WeChat Pay did not answer (%(reason)s); try again.") % {"reason": error}) from None
        if status >= 300:
            raise ProviderRefused(_("WeChat Pay refused: %(reason)s") % {"reason": answer.get("message") or status})
        return answer

    def contract_presign(self, *, out_contract_code: str, display_account: str, notify_url: str,
                         out_user_code: str, scene: str = "SIGN_SCENE_QRCODE") -> dict:  # fmt: skip
        """Where the customer signs: {"pre_entrustweb_id", "redirect_url"} (open it or show it as a QR code)."""
        return self._contract_call("/v3/papay/sign/contracts/pre-entrust-sign", RequestType.POST, {
            "sign_scene": scene, "appid": self.appid, "plan_id": int(self.credentials.config.get("plan_id") or 0),
            "out_contract_code": out_contract_code, "contract_display_account": display_account[:32],
            "contract_notify_url": notify_url, "out_user_code": out_user_code[:64], "device_info": {},
        })  # fmt: skip

    def contract_terminate(self, *, contract_id: str, remark: str) -> None:
        try:
            self._contract_call(f"/v3/papay/sign/contracts/contract-id/{contract_id}/terminate", RequestType.POST,
                                {"appid": self.appid, "contract_termination_remark": remark[:256]})  # fmt: skip
        except ProviderRefused as error:
            if "no such contract" not in str(error):
                raise

    def pre_debit_notify(self, *, contract_id: str, amount: Money) -> None:
        """The notice WeChat requires before a debit, for at most `amount`."""
        self._contract_call(f"/v3/papay/contracts/{contract_id}/notify", RequestType.POST, {
            "mchid": self.mchid, "appid": self.appid,
            "deduct_duration": {"count": DEDUCT_DURATION_DAYS, "unit": "DAY"},
            "estimated_amount": {"amount": amount.amount_minor, "currency": amount.currency},
        })  # fmt: skip

    def statement(self, *, day: date) -> list[StatementLine]:
        """The day's trade bill: GET /v3/bill/tradebill, then the file, checked against its SHA-1.
        The fake gateway's file has one CSV line per charge and refund (amounts in fen)."""
        answer = self._contract_call(f"/v3/bill/tradebill?bill_date={day.isoformat()}", RequestType.GET)
        path = str(answer.get("download_url", "")).removeprefix(self.gateway)
        try:
            # Bill files are not signed; their hash, from the signed answer above, is what proves them.
            status, content = self._core.request(path, skip_verify=True)
        except Exception as error:
            raise ProviderRefused(_("WeChat Pay's bill could not be downloaded; try again.")) from error
        content = content.encode() if isinstance(content, str) else content
        if status != 200 or hashlib.sha1(content).hexdigest() != answer.get("hash_value"):
            raise ProviderRefused(_("WeChat Pay's bill does not match its hash; try again."))
        return [
            StatementLine(
                kind=row["type"],
                order_no=row["out_trade_no"] if row["type"] == "charge" else row["out_refund_no"],
                provider_reference=row["transaction_id"],
                amount_minor=int(row["amount"]),
            )
            for row in csv.DictReader(io.StringIO(content.decode("utf-8")))
        ]

    # --- money ----------------------------------------------------------------------

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        """Ask WeChat to debit the contract `token`; the outcome usually comes by notification."""
        body = {"appid": self.appid, "out_trade_no": out_trade_no(idempotency_key),
                "description": str(metadata.get("subject") or "Pawpact")[:127], "contract_id": token,
                "transaction_notify_url": self.notify_url, "attach": idempotency_key[:128],
                "amount": {"total": amount.amount_minor, "currency": amount.currency}}  # fmt: skip
        try:
            status, answer = self.call("/v3/papay/pay/transactions/apply", RequestType.POST, body)
        except _NoAnswer:
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        if status >= 300:
            return _refused(status, answer)
        return self.query(idempotency_key=idempotency_key, amount=amount) or _unknown("accepted")

    def query(self, *, idempotency_key: str, amount: Money) -> ChargeResult | None:
        number = out_trade_no(idempotency_key)
        try:
            status, answer = self.call(f"/v3/pay/transactions/out-trade-no/{number}?mchid={self.mchid}")
        except _NoAnswer:
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        if status == 404:
            return None
        if status >= 300:
            return _unknown(str(answer.get("code") or status))
        return order_result(answer, amount_minor=amount.amount_minor)

    def refund(
        self, *, token: str, charge_reference: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        total = int(metadata.get("charged_minor") or amount.amount_minor)
        body = {"transaction_id": charge_reference, "out_refund_no": out_trade_no(idempotency_key),
                "reason": str(metadata.get("purpose", ""))[:80],
                "amount": {"refund": amount.amount_minor, "total": total, "currency": amount.currency}}  # fmt: skip
        try:
            status, answer = self.call("/v3/refund/domestic/refunds", RequestType.POST, body)
        except _NoAnswer as error:
            raise RefundFailed(_("WeChat Pay did not answer the refund; nothing was changed, try again.")) from error
        if status >= 300 or answer.get("status") in ("CLOSED", "ABNORMAL"):
            logger.warning("WeChat refund %s refused: %s %s", idempotency_key, status, answer.get("code"))
            raise RefundFailed(
                _("WeChat Pay did not accept the refund (%(reason)s); nothing was changed.")
                % {"reason": answer.get("message") or answer.get("code") or status}
            )
        return str(answer.get("refund_id", ""))

    # --- notifications --------------------------------------------------------------

    def notification_verify(self, *, headers: dict[str, str], body: bytes) -> dict:
        """The notification with its resource decrypted, if WeChat signed exactly this body
        within the last five minutes; else NotificationRejected."""
        stamp = str(headers.get("Wechatpay-Timestamp") or "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > NOTIFICATION_TOLERANCE_SECONDS:
            raise NotificationRejected(_("The notification's timestamp is missing, stale or in the future."))
        try:
            event = self._core.callback(headers=headers, body=body)
        except Exception as error:
            raise NotificationRejected(_("The notification cannot be verified.")) from error
        if not event or not isinstance(event.get("resource"), dict):
            raise NotificationRejected(_("The notification's signature or encryption is not valid."))
        resource = event["resource"]
        if resource.get("mchid") not in (None, self.mchid):
            raise NotificationRejected(_("The notification is for another merchant."))
        return event


def order_result(order: dict, *, amount_minor: int) -> ChargeResult:
    """An order (query answer or notification resource) as a rail outcome."""
    state = order.get("trade_state")
    reference = str(order.get("transaction_id", ""))
    if state == "SUCCESS":
        if int((order.get("amount") or {}).get("total", -1)) != amount_minor:
            logger.error("WeChat order %s paid another amount than %s", order.get("out_trade_no"), amount_minor)
            return _unknown("amount_mismatch")
        return ChargeResult(succeeded=True, outcome="succeeded", reference=reference)
    if state in ("PAYERROR", "CLOSED", "REVOKED"):
        return ChargeResult(False, state.lower(), reference, decline_type=DeclineType.SOFT)
    return _unknown((state or "accepted").lower())


def _unknown(outcome: str) -> ChargeResult:
    return ChargeResult(succeeded=False, outcome=outcome, is_unknown=True)


def _refused(status: int, answer: dict) -> ChargeResult:
    code = str(answer.get("code") or status)
    if status == 429 or code in ("FREQUENCY_LIMITED", "RATELIMIT_EXCEEDED"):
        return _unknown(FLOW_LIMITED)
    if status >= 500 or code == "SYSTEM_ERROR":
        return _unknown(code.lower())
    decline = DeclineType.HARD if code in HARD_CODES else DeclineType.SOFT
    return ChargeResult(succeeded=False, outcome=code.lower(), decline_type=decline)


def next_notice_due(*, due: date, notice_days: int) -> date:
    """The day the pre-debit notice for a debit due on `due` goes out."""
    return date.fromordinal(due.toordinal() - notice_days)
