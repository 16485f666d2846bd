"""Alipay 周期扣款 (CYCLE_PAY_AUTH): agreement debits, through `python-alipay-sdk`.

Why that SDK: it is small (one module over pycryptodomex), signs and verifies RSA2 exactly
as Alipay's open platform specifies (sorted parameters, SHA256withRSA, base64), verifies
every synchronous answer against Alipay's public key, and exposes `server_api` /
`client_api` for any method, which the agreement APIs need. The official
`alipay-sdk-python` generates thousands of model classes and brings its own HTTP stack,
for the same signatures.

The flow:
1. `agreement_sign_url` — `alipay.user.agreement.page.sign`, signed: the page the
   customer's phone opens (as a link or a QR code) to sign the agreement, with period
   rules matching the contract's calendar (monthly, the first debit date, the amount);
2. Alipay notifies the signing (`dut_user_sign`, `agreement_no`), verified by
   `notification_verify`;
3. each debit is `alipay.trade.pay` with `agreement_params.agreement_no`, its
   `out_trade_no` derived from our idempotency key (a retry repeats it: Alipay answers
   ACQ.TRADE_HAS_SUCCESS instead of charging again); an unknown outcome is asked for with
   `alipay.trade.query`;
4. `agreement_next_debit_change` (`alipay.user.agreement.executionplan.modify`) moves the
   next debit date (deferrals), `agreement_unsign` ends the agreement with the contract,
   `refund` is `alipay.trade.refund` with `out_request_no` from the refund's key.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from http.client import HTTPException
from urllib.error import URLError
from urllib.request import urlopen
from zoneinfo import ZoneInfo

from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from django.utils.translation import gettext as _

from pawpact.core.money import Money
from pawpact.payments.alipay_sdk import OpenSSLAliPay
from pawpact.payments.base import FLOW_LIMITED, ChargeResult, StatementLine
from pawpact.payments.enums import DeclineType
from pawpact.payments.errors import NotificationRejected, ProviderRefused, RefundFailed
from pawpact.payments.gateways import adapter_for_current_shop, fen, gateway_url, out_trade_no, yuan
from pawpact.tenants.credentials import Credentials
from pawpact.tenants.enums import Provider

logger = logging.getLogger(__name__)
BEIJING = ZoneInfo("Asia/Shanghai")
TIMEOUT_SECONDS = 10
PRODUCT_CODE = "CYCLE_PAY_AUTH"
NETWORK_ERROR = "network_error"
SUCCESS = "10000"
USER_ID = re.compile(r"2088\d{12}")  # else an account is named by its login (email or mobile)
# Alipay's sub codes that only the customer can fix (a new agreement, a working account).
HARD_DECLINES = frozenset(
    {"ACQ.AGREEMENT_NOT_EXIST", "ACQ.AGREEMENT_INVALID", "ACQ.AGREEMENT_STATUS_NOT_NORMAL", "ACQ.AGREEMENT_ERROR",
     "ACQ.BUYER_ACCOUNT_ABNORMAL", "ACQ.BUYER_ENABLE_STATUS_FORBID", "ACQ.PAYER_UNMATCHED"}
)  # fmt: skip
# Answers that say nothing about whether money moved: ask again with the same out_trade_no.
UNKNOWN_SUB_CODES = frozenset({"ACQ.SYSTEM_ERROR", "isp.unknow-error", "aop.ACQ.SYSTEM_ERROR"})
PAID_STATES = ("TRADE_SUCCESS", "TRADE_FINISHED")


@dataclass(frozen=True)
class TransferOutcome:
    """A transfer's result: paid (Alipay's order id), refused (why), or unknown (ask again, same key)."""

    paid: bool
    reference: str = ""
    reason: str = ""
    unknown: bool = False


class _NoAnswer(Exception):
    """The gateway did not give a trustworthy answer (network, timeout, bad signature)."""


def beijing_now() -> str:
    return datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


# The bill's business types: its trades are our charges; transfers carry their out_biz_no.
STATEMENT_KINDS = {"trade": "charge", "refund": "refund", "transfer": "transfer"}

class AlipayRail:
    name = "alipay"

    def __init__(
        self, *, credentials: Credentials, gateway: str, notify_url: str = "", timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.credentials = credentials
        self.notify_url = notify_url
        self._client = OpenSSLAliPay(
            appid=credentials.config["app_id"],
            app_private_key_string=credentials.secrets["app_private_key"],
            alipay_public_key_string=credentials.secrets["alipay_public_key"],
            sign_type="RSA2",
            config=AliPayConfig(timeout=timeout),
        )
        self._client._gateway = gateway  # the SDK knows only Alipay's two hosts
        self.gateway = gateway

    @classmethod
    def for_current_shop(cls, *, livemode: bool) -> AlipayRail:
        gateway = gateway_url(Provider.ALIPAY, livemode=livemode)
        return adapter_for_current_shop(
            Provider.ALIPAY,
            livemode=livemode,
            build=lambda creds, url: cls(credentials=creds, gateway=gateway, notify_url=url),
        )

    # --- the signed exchange -------------------------------------------------------

    def call(self, method: str, biz_content: dict, **params) -> dict:
        """One signed request; Alipay's verified answer (code, msg, sub_code, ...).

        Every request takes a place under the merchant's rate limit (in the client, as it
        leaves), not only the debits: a debit Alipay says was already paid is followed by a
        query, which counts too."""
        try:
            return self._client.server_api(method, biz_content, timestamp=beijing_now(), **params)
        except AliPayValidationError as error:
            logger.error("Alipay %s: the answer's signature does not verify", method)
            raise _NoAnswer("answer signature invalid") from error
        except AliPayException as error:
            # An unsigned error answer (bad request signature, unknown app): Alipay refused it.
            return _unsigned_error(error)
        except (TimeoutError, URLError, HTTPException, OSError, ValueError) as error:
            raise _NoAnswer(type(error).__name__) from error

    # --- agreements -----------------------------------------------------------------

    def agreement_sign_url(
        self, *, external_agreement_no: str, single_amount: Money, total_payments: int, first_debit: date,
        notify_url: str, return_url: str = "",
    ) -> str:  # fmt: skip
        """The signed page that asks the customer to sign a monthly agreement (open it, or show it as a QR code)."""
        biz = {
            "personal_product_code": "CYCLE_PAY_AUTH_P",
            "product_code": PRODUCT_CODE,
            "sign_scene": "INDUSTRY|PET",
            "external_agreement_no": external_agreement_no,
            "access_params": {"channel": "ALIPAYAPP"},
            "period_rule_params": {
                "period_type": "MONTH",
                "period": 1,
                "execute_time": first_debit.isoformat(),
                "single_amount": yuan(single_amount),
                "total_amount": yuan(Money(single_amount.amount_minor * total_payments, single_amount.currency)),
                "total_payments": total_payments,
            },
        }
        signed = self._client.client_api(
            "alipay.user.agreement.page.sign", biz, notify_url=notify_url, return_url=return_url,
            timestamp=beijing_now(),
        )  # fmt: skip
        return f"{self.gateway}?{signed}"

    def _agreement_call(self, method: str, biz: dict) -> dict:
        try:
            answer = self.call(method, biz)
        except _NoAnswer as error:
            raise ProviderRefused(_("Alipay did not answer (%(reason)s); try again.") % {"reason": error}) from None
        if answer.get("code") != SUCCESS:
            raise ProviderRefused(
                _("Alipay refused: %(reason)s") % {"reason": answer.get("sub_msg") or answer.get("sub_code") or "?"}
            )
        return answer

    def agreement_query(self, *, agreement_no: str) -> dict:
        return self._agreement_call("alipay.user.agreement.query", {"agreement_no": agreement_no})

    def agreement_unsign(self, *, agreement_no: str) -> None:
        """End the agreement (contract over, pet lost, shop closed). An agreement already gone counts as ended."""
        try:
            self._agreement_call("alipay.user.agreement.unsign", {"agreement_no": agreement_no})
        except ProviderRefused as error:
            if "AGREEMENT_NOT_EXIST" not in str(error) and "AGREEMENT_HAS_UNSIGNED" not in str(error):
                raise

    def agreement_next_debit_change(self, *, agreement_no: str, deduct_on: date, memo: str = "") -> None:
        self._agreement_call(
            "alipay.user.agreement.executionplan.modify",
            {"agreement_no": agreement_no, "deduct_time": deduct_on.isoformat(), "memo": memo[:100]},
        )

    def verify(self) -> None:
        """Prove the credentials work: a signed query Alipay must answer, with a signature we verify."""
        try:
            answer = self.call("alipay.trade.query", {"out_trade_no": "pawpact-credential-check"})
        except _NoAnswer as error:
            raise ProviderRefused(
                _("Alipay's answer could not be verified (%(reason)s).") % {"reason": error}
            ) from None
        if answer.get("code") not in (SUCCESS, "40004"):
            raise ProviderRefused(_("Alipay refused the credentials: %(reason)s") % {"reason": _reason(answer)})

    def statement(self, *, day: date) -> list[StatementLine]:
        """The day's trades, refunds and transfers out (Beijing day): `alipay.data.dataservice.bill.downloadurl.query`,
        then the bill itself. The fake gateway serves one CSV (type, trade_no, out_trade_no,
        out_request_no, amount in yuan, payee); Alipay's real bill is a zip of such CSVs, its
        transfers (转账, `alipay.fund.trans.uni.transfer`) under their own business type."""
        answer = self._agreement_call(
            "alipay.data.dataservice.bill.downloadurl.query", {"bill_type": "trade", "bill_date": day.isoformat()}
        )
        try:
            with urlopen(answer["bill_download_url"], timeout=TIMEOUT_SECONDS) as response:
                text = response.read().decode("utf-8")
        except (URLError, HTTPException, OSError, KeyError) as error:
            raise ProviderRefused(_("Alipay's bill could not be downloaded; try again.")) from error
        return [
            StatementLine(
                kind=STATEMENT_KINDS.get(row["type"], "refund"),
                order_no=row["out_request_no"] if row["type"] == "refund" else row["out_trade_no"],
                provider_reference=row["trade_no"],
                amount_minor=fen(row["amount"]),
                counterparty=row.get("payee") or "",
            )
            for row in csv.DictReader(io.StringIO(text))
        ]

    # --- money ----------------------------------------------------------------------

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        """Debit under the agreement `token` (its agreement_no), once per idempotency key."""
        biz = {
            "out_trade_no": out_trade_no(idempotency_key),
            "total_amount": yuan(amount),
            "subject": str(metadata.get("subject") or "Pawpact")[:256],
            "product_code": PRODUCT_CODE,
            "agreement_params": {"agreement_no": token},
            # Returned in the trade notification: it finds the debit again.
            "passback_params": idempotency_key,
        }
        try:
            answer = self.call("alipay.trade.pay", biz, notify_url=self.notify_url)
        except _NoAnswer:
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        if answer.get("code") == SUCCESS:
            return _paid_or_unknown(answer, amount)
        if answer.get("sub_code") == "ACQ.TRADE_HAS_SUCCESS":
            return self.query(idempotency_key=idempotency_key, amount=amount) or _unknown("trade_not_found")
        return _declined(answer)

    def query(self, *, idempotency_key: str, amount: Money) -> ChargeResult | None:
        try:
            answer = self.call("alipay.trade.query", {"out_trade_no": out_trade_no(idempotency_key)})
        except _NoAnswer:
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return None
        if answer.get("code") != SUCCESS:
            return _unknown(_reason(answer))
        state = answer.get("trade_status")
        if state in PAID_STATES:
            return _paid_or_unknown(answer, amount)
        if state == "TRADE_CLOSED":
            return ChargeResult(False, "trade_closed", answer.get("trade_no", ""), decline_type=DeclineType.SOFT)
        return _unknown(state or "processing")

    def refund(
        self, *, token: str, charge_reference: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        """`alipay.trade.refund` of the trade `charge_reference`; out_request_no makes it once per key."""
        request_no = out_trade_no(idempotency_key)
        biz = {"trade_no": charge_reference, "refund_amount": yuan(amount), "out_request_no": request_no,
               "refund_reason": str(metadata.get("purpose", ""))[:256]}  # fmt: skip
        try:
            answer = self.call("alipay.trade.refund", biz)
        except _NoAnswer as error:
            raise RefundFailed(_("Alipay did not answer the refund; nothing was changed, try again.")) from error
        if answer.get("code") != SUCCESS:
            logger.warning("Alipay refund %s refused: %s", idempotency_key, _reason(answer))
            raise RefundFailed(
                _("Alipay did not accept the refund (%(reason)s); nothing was changed.") % {"reason": _reason(answer)}
            )
        return f"{answer.get('trade_no', charge_reference)}/{request_no}"

    def fund_transfer(self, *, payee_user_id: str, payee_name: str, amount: Money, idempotency_key: str,
                      title: str) -> TransferOutcome:  # fmt: skip
        """`alipay.fund.trans.uni.transfer` to an Alipay account (the platform paying a shop).

        `out_biz_no` comes from the key, so a retry after a lost answer is the same transfer:
        Alipay answers the first order instead of paying twice."""
        biz = {"out_biz_no": out_trade_no(idempotency_key), "trans_amount": yuan(amount),
               "product_code": "TRANS_ACCOUNT_NO_PWD", "biz_scene": "DIRECT_TRANSFER", "order_title": title[:128],
               "payee_info": {"identity": payee_user_id, "name": payee_name,
                              "identity_type": "ALIPAY_USER_ID" if USER_ID.fullmatch(payee_user_id) else "ALIPAY_LOGON_ID"}}  # fmt: skip
        try:
            answer = self.call("alipay.fund.trans.uni.transfer", biz)
        except _NoAnswer as error:
            return TransferOutcome(paid=False, unknown=True, reason=str(error))
        if answer.get("code") == SUCCESS and answer.get("status") == "SUCCESS":
            return TransferOutcome(paid=True, reference=str(answer.get("order_id", "")))
        unknown = answer.get("code") != SUCCESS and answer.get("sub_code") in UNKNOWN_SUB_CODES | {"SYSTEM_ERROR"}
        return TransferOutcome(paid=False, unknown=unknown or answer.get("status") == "DEALING", reason=_reason(answer))

    def royalty_receiver_bind(self, *, user_id: str, name: str, request_key: str) -> str:
        """`alipay.trade.royalty.relation.bind`: make an Alipay account (its user id, or its
        login: email or mobile) a profit-sharing receiver of this app. Alipay refuses an unknown account or a holder name that does
        not match; "" when bound, else Alipay's reason (ProviderRefused when it did not answer)."""
        biz = {"out_request_no": out_trade_no(request_key),
               "receiver_list": [{"type": "userId" if USER_ID.fullmatch(user_id) else "loginName", "account": user_id, "name": name, "memo": "Pawpact payouts"}]}  # fmt: skip
        try:
            answer = self.call("alipay.trade.royalty.relation.bind", biz)
        except _NoAnswer as error:
            raise ProviderRefused(_("Alipay did not answer; nothing was changed. Try again.")) from error
        if answer.get("code") == SUCCESS and answer.get("result_code", "SUCCESS") == "SUCCESS":
            return ""
        return _reason(answer)

    # --- notifications --------------------------------------------------------------

    def notification_verify(self, params: dict[str, str]) -> dict[str, str]:
        """The notification's parameters, if Alipay signed exactly them for this app; else NotificationRejected."""
        data = {key: str(value) for key, value in params.items()}
        signature = data.pop("sign", "")
        if not signature or data.get("sign_type", "RSA2") != "RSA2":
            raise NotificationRejected(_("The notification is not signed with RSA2."))
        checked = dict(data)
        try:
            valid = self._client.verify(checked, signature)
        except (AliPayException, ValueError, TypeError):
            valid = False
        if not valid:
            raise NotificationRejected(_("The notification's signature is not valid."))
        if data.get("app_id") != self.credentials.config["app_id"]:
            raise NotificationRejected(_("The notification is for another Alipay app."))
        return data


def _unsigned_error(error: AliPayException) -> dict:
    # The SDK keeps the raw answer in a private attribute; its text form is "…, message:<json>".
    raw = getattr(error, "_AliPayException__message", None) or str(error).partition("message:")[2]
    try:
        body = json.loads(raw)
    except (TypeError, ValueError):
        return {"code": "0", "sub_code": "unreadable"}
    inner = next((value for value in body.values() if isinstance(value, dict)), {})
    return {"code": str(inner.get("code", "0")), **inner}


def _reason(answer: dict) -> str:
    return str(answer.get("sub_code") or answer.get("msg") or answer.get("code") or "unknown")


def _unknown(outcome: str) -> ChargeResult:
    return ChargeResult(succeeded=False, outcome=outcome, is_unknown=True)


def _paid_or_unknown(answer: dict, amount: Money) -> ChargeResult:
    total = answer.get("total_amount")
    if total is not None and fen(total) != amount.amount_minor:
        # Never record a payment whose amount is not the one we asked for.
        logger.error("Alipay trade %s paid %s, expected %s", answer.get("trade_no"), total, amount.amount_minor)
        return _unknown("amount_mismatch")
    return ChargeResult(succeeded=True, outcome="succeeded", reference=str(answer.get("trade_no", "")))


def _declined(answer: dict) -> ChargeResult:
    sub_code = str(answer.get("sub_code") or "")
    if sub_code == "isp.flow-limit":
        return _unknown(FLOW_LIMITED)
    if answer.get("code") in ("10003", "20000") or sub_code in UNKNOWN_SUB_CODES:
        return _unknown(sub_code or str(answer.get("code")))
    decline = DeclineType.HARD if sub_code in HARD_DECLINES else DeclineType.SOFT
    return ChargeResult(succeeded=False, outcome=sub_code or _reason(answer), decline_type=decline)
