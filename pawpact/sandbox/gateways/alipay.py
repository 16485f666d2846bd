"""A local fake of Alipay's open-platform gateway for 周期扣款 (agreement debits).

    gateway = FakeAlipay(latency_seconds=0.15, rate_limit=500).start()
    app = gateway.app_register(app_public_key_pem)        # → app id; gateway.public_key_pem to verify
    notification = gateway.customer_signs(sign_url)       # the customer signs on their phone

Requests (GET or POST to /gateway.do) must be signed RSA2 by a registered app, with a
timestamp within 15 minutes; answers are `{"<method>_response": {...}, "sign": ...}`
signed with the gateway's key, as Alipay does. Methods: alipay.user.agreement.page.sign
(through `customer_signs`), alipay.user.agreement.query / unsign /
executionplan.modify, alipay.trade.pay (agreement), alipay.trade.query,
alipay.trade.refund, alipay.data.dataservice.bill.downloadurl.query (a CSV statement),
alipay.fund.trans.uni.transfer (to an account in `payees`; once per out_biz_no),
alipay.trade.royalty.relation.bind (a profit-sharing receiver: an account in `payees`,
under its holder's name; binding again is a success, as at Alipay).

Debits follow each agreement's `behaviour`: success, insufficient (soft decline), hard
(agreement broken), processing (paid later by `settle_pending`). Notifications (signing,
trade status) are signed forms collected in `notifications`, for tests to deliver — twice,
late, out of order.
"""

from __future__ import annotations

import html
import json
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from pawpact.sandbox.gateways.base import (
    FakeGateway,
    notification_post,
    public_pem,
    rsa2_sign,
    rsa2_verify,
    rsa_key_new,
)
from pawpact.sandbox.gateways.state import PersistentState, Sequence

BEIJING = ZoneInfo("Asia/Shanghai")
TIMESTAMP_TOLERANCE = timedelta(minutes=15)
_numbers = Sequence()


SIGN_PAGE = """<!doctype html><html lang="zh-Hans"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>支付宝 周期扣款 (fake)</title>
<body style="font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem">
<h1 style="font-size:1.2rem">支付宝 · 周期扣款协议 (local fake Alipay)</h1>
<p>The shop asks to debit your Alipay account once a month, as your adoption plan says.</p>
<form method="post" action="{action}"><input type="hidden" name="agree" value="1">
<button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">同意并签约 / Agree and sign</button></form>
</body></html>"""


def _now() -> str:
    return datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def signing_string(params: dict[str, str], *, exclude: tuple[str, ...]) -> str:
    return "&".join(f"{key}={value}" for key, value in sorted(params.items()) if key not in exclude and value != "")


class FakeAlipay(PersistentState, FakeGateway):
    # What a restart keeps (pawpact.sandbox.gateways.state); notifications are delivered or lost, as at Alipay.
    STATE_FIELDS = ("agreements", "trades", "refunds", "bills", "transfers", "payees", "royalty_receivers",
                    "zhima_scores")  # fmt: skip

    def __init__(self, *, latency_seconds: float = 0.0, rate_limit: float | None = None) -> None:
        super().__init__(latency_seconds=latency_seconds, rate_limit=rate_limit)
        self.key = rsa_key_new()
        self.apps: dict[str, object] = {}
        self.agreements: dict[str, dict] = {}
        self.trades: dict[tuple[str, str], dict] = {}
        self.refunds: dict[tuple[str, str], dict] = {}
        self._notifications: list[tuple[str, dict[str, str]]] = []
        self.calls: dict[str, int] = {}
        self.rejected: list[str] = []
        self.bills: dict[str, tuple[str, str]] = {}
        self.transfers: dict[tuple[str, str], dict] = {}  # (app id, out_biz_no) → the transfer
        self.payees: dict[str, str] = {}  # Alipay user id (or login: email, mobile) → the holder's real name
        self.royalty_receivers: set[tuple[str, str]] = set()  # (app id, Alipay user id) bound for 分账
        self.zhima_scores: dict[tuple[str, str], int] = {}  # (app id, mobile) → score, once the user authorised

    @property
    def public_key_pem(self) -> str:
        return public_pem(self.key)

    @property
    def gateway_url(self) -> str:
        return f"{self.url}/gateway.do"

    def app_register(self, app_public_key_pem: str, app_id: str | None = None) -> str:
        app_id = app_id or f"2021{next(_numbers):012d}"
        self.apps[app_id] = load_pem_public_key(app_public_key_pem.encode())
        self.state_save()
        return app_id

    def state_extra_dump(self) -> dict:
        return {"apps": {app_id: public_pem(key) for app_id, key in self.apps.items()}, "numbers": _numbers.value}

    def state_extra_load(self, state: dict) -> None:
        for app_id, pem in state.get("apps", {}).items():
            self.apps.setdefault(app_id, load_pem_public_key(pem.encode()))
        _numbers.advance_to(state.get("numbers", 0))

    def dispatch(self, handler, method: str) -> None:
        super().dispatch(handler, method)
        self.state_save()

    def stats(self) -> dict:
        with self._lock:
            paid = [t["out_trade_no"] for t in self.trades.values() if t["trade_status"] == "TRADE_SUCCESS"]
            return {**super().stats(), "calls": dict(self.calls), "trades": len(self.trades), "paid": len(paid),
                    "paid_orders": len(set(paid))}  # fmt: skip

    # --- the customer's side, and notifications -------------------------------------

    def customer_signs(self, sign_url: str, *, behaviour: str = "success") -> dict[str, str]:
        """The customer opens the signing page and agrees: the agreement exists, and the
        signed `dut_user_sign` notification is returned (and kept in `notifications`)."""
        params = dict(parse_qsl(urlsplit(sign_url).query, keep_blank_values=True))
        problem = self._request_problem(params)
        if problem or params.get("method") != "alipay.user.agreement.page.sign":
            raise ValueError(f"not a signed agreement page: {problem or params.get('method')}")
        biz = json.loads(params["biz_content"])
        agreement_no = f"2026{next(_numbers):016d}"
        user_id = f"2088{secrets.randbelow(10**12):012d}"
        rule = biz.get("period_rule_params", {})
        self.agreements[agreement_no] = {
            "app_id": params["app_id"], "external_agreement_no": biz["external_agreement_no"], "status": "NORMAL",
            "alipay_user_id": user_id, "behaviour": behaviour, "next_deduct": rule.get("execute_time", ""),
            "single_amount": rule.get("single_amount", "0"),
        }  # fmt: skip
        notification = self.notify(params.get("notify_url", ""), params["app_id"], {
            "notify_type": "dut_user_sign", "agreement_no": agreement_no, "status": "NORMAL",
            "external_agreement_no": biz["external_agreement_no"], "alipay_user_id": user_id,
            "personal_product_code": "CYCLE_PAY_AUTH_P", "sign_time": _now(), "valid_time": _now(),
        })  # fmt: skip
        self.state_save()
        return notification

    @property
    def notifications(self) -> list[tuple[str, dict[str, str]]]:
        """Every notification sent, signed. A trade's is signed when first read: signing one
        per debit would cost this process a core at the rates the debit benchmark runs."""
        with self._lock:
            for _url, params in self._notifications:
                if "sign" not in params:
                    self._sign(params)
            return self._notifications

    def notify(self, url: str, app_id: str, fields: dict[str, str], *, sign_now: bool = True) -> dict[str, str]:
        params = {**fields, "app_id": app_id, "notify_id": secrets.token_hex(16), "notify_time": _now(),
                  "charset": "utf-8", "version": "1.0", "sign_type": "RSA2"}  # fmt: skip
        if sign_now:
            self._sign(params)
        with self._lock:
            self._notifications.append((url, params))
        return params

    def _sign(self, params: dict[str, str]) -> None:
        params["sign"] = rsa2_sign(self.key, signing_string(params, exclude=("sign", "sign_type")))

    def settle_pending(self) -> list[dict[str, str]]:
        """Trades left WAIT_BUYER_PAY are paid now; their notifications are returned."""
        sent = []
        for trade in self.trades.values():
            if trade["trade_status"] == "WAIT_BUYER_PAY":
                trade["trade_status"] = "TRADE_SUCCESS"
                sent.append(self._trade_notify(trade))
        self.state_save()
        return sent

    def _trade_notify(self, trade: dict, *, sign_now: bool = True) -> dict[str, str]:
        return self.notify(trade["notify_url"], trade["app_id"], sign_now=sign_now, fields={
            "notify_type": "trade_status_sync", "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"],
            "trade_status": trade["trade_status"], "total_amount": trade["total_amount"],
            "gmt_payment": trade["gmt_payment"], "passback_params": trade["passback_params"],
        })  # fmt: skip

    # --- HTTP ----------------------------------------------------------------------

    def handle(self, handler, method, body):
        if handler.path.startswith("/bills/"):
            return self._bill(handler.path)
        params = dict(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True))
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
        api = params.get("method", "")
        if api == "alipay.user.agreement.page.sign":
            return self._sign_page(handler, method, body)
        response_key = api.replace(".", "_") + "_response"
        if not handler.admitted:
            return self._answer(response_key, {"code": "20000", "msg": "Service Currently Unavailable",
                                               "sub_code": "isp.flow-limit"})  # fmt: skip
        problem = self._request_problem(params)
        if problem:
            self.rejected.append(problem)
            unsigned = {"code": "40002", "msg": "Invalid Arguments", "sub_code": problem}
            return 200, json.dumps({response_key: unsigned}).encode(), {}
        with self._lock:
            self.calls[api] = self.calls.get(api, 0) + 1
            handler_method = getattr(self, "_" + api.replace(".", "_"), None)
            biz = json.loads(params.get("biz_content") or "{}")
            result = (
                handler_method(params, biz) if handler_method else {"code": "40004", "sub_code": "isv.invalid-method"}
            )
        return self._answer(response_key, result)

    def _sign_page(self, handler, method: str, body: bytes) -> tuple[int, bytes, dict]:
        """The page the customer's phone opens: agreeing signs the agreement, notifies the
        merchant's notify_url over HTTP and returns to the merchant's return_url. Alipay
        notifies in the background; the fake does before answering, so the phone comes back
        to a shop that knows the agreement already (a late notification is for tests to play)."""
        sign_url = f"{self.url}{handler.path}"
        if method != "POST" or b"agree=1" not in body:
            page = SIGN_PAGE.format(action=html.escape(handler.path, quote=True))
            return 200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}
        try:
            notification = self.customer_signs(sign_url)
        except ValueError as error:
            return 400, html.escape(str(error)).encode(), {"Content-Type": "text/plain; charset=utf-8"}
        target = dict(parse_qsl(urlsplit(handler.path).query)).get("notify_url", "")
        notification_post(target, notification)
        return_url = dict(parse_qsl(urlsplit(handler.path).query)).get("return_url", "")
        if return_url:
            return 302, b"", {"Location": return_url}
        return 200, "<p>签约成功 / Signed.</p>".encode(), {"Content-Type": "text/html; charset=utf-8"}

    def _request_problem(self, params: dict[str, str]) -> str:
        key = self.apps.get(params.get("app_id", ""))
        if key is None:
            return "isv.invalid-app-id"
        if params.get("sign_type") != "RSA2":
            return "isv.invalid-signature-type"
        if not rsa2_verify(key, signing_string(params, exclude=("sign",)), params.get("sign", "")):
            return "isv.invalid-signature"
        try:
            sent = datetime.strptime(params.get("timestamp", ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
        except ValueError:
            return "isv.invalid-timestamp"
        if abs(datetime.now(BEIJING) - sent) > TIMESTAMP_TOLERANCE:
            return "isv.invalid-timestamp"
        return ""

    def _answer(self, response_key: str, result: dict) -> tuple[int, bytes, dict]:
        result = {"msg": "Success" if result.get("code") == "10000" else "Business Failed", **result}
        inner = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        sign = rsa2_sign(self.key, inner)
        return 200, f'{{"{response_key}":{inner},"sign":"{sign}"}}'.encode(), {}

    # --- methods -------------------------------------------------------------------

    def _agreement(self, params: dict, biz: dict) -> dict | None:
        agreement = self.agreements.get(biz.get("agreement_no", ""))
        return agreement if agreement is not None and agreement["app_id"] == params["app_id"] else None

    def _alipay_user_agreement_query(self, params, biz):
        agreement = self._agreement(params, biz)
        if agreement is None:
            return {"code": "40004", "sub_code": "ACQ.AGREEMENT_NOT_EXIST"}
        return {"code": "10000", "agreement_no": biz["agreement_no"], "status": agreement["status"],
                "external_agreement_no": agreement["external_agreement_no"],
                "next_deduct_time": agreement["next_deduct"]}  # fmt: skip

    def _alipay_user_agreement_unsign(self, params, biz):
        agreement = self._agreement(params, biz)
        if agreement is None:
            return {"code": "40004", "sub_code": "ACQ.AGREEMENT_NOT_EXIST"}
        agreement["status"] = "UNSIGN"
        return {"code": "10000"}

    def _alipay_user_agreement_executionplan_modify(self, params, biz):
        agreement = self._agreement(params, biz)
        if agreement is None or agreement["status"] != "NORMAL":
            return {"code": "40004", "sub_code": "ACQ.AGREEMENT_STATUS_NOT_NORMAL"}
        agreement["next_deduct"] = biz.get("deduct_time", "")
        return {"code": "10000", "agreement_no": biz["agreement_no"], "deduct_time": agreement["next_deduct"]}

    def _alipay_trade_pay(self, params, biz):
        key = (params["app_id"], biz.get("out_trade_no", ""))
        if key in self.trades:
            trade = self.trades[key]
            if trade["trade_status"] in ("TRADE_SUCCESS", "TRADE_FINISHED"):
                return {"code": "40004", "sub_code": "ACQ.TRADE_HAS_SUCCESS"}
            return trade["answer"]
        agreement = self._agreement(params, biz.get("agreement_params") or {})
        if biz.get("product_code") != "CYCLE_PAY_AUTH" or agreement is None:
            return {"code": "40004", "sub_code": "ACQ.AGREEMENT_NOT_EXIST"}
        trade = {"app_id": params["app_id"], "out_trade_no": key[1], "trade_no": f"2026{next(_numbers):024d}",
                 "total_amount": biz.get("total_amount", "0"), "notify_url": params.get("notify_url", ""),
                 "gmt_payment": _now(), "refunded": Decimal(0),
                 "passback_params": biz.get("passback_params", "")}  # fmt: skip
        behaviour = agreement["behaviour"] if agreement["status"] == "NORMAL" else "hard"
        if behaviour == "insufficient":
            trade["trade_status"] = "TRADE_CLOSED"
            trade["answer"] = {"code": "40004", "sub_code": "ACQ.BUYER_BALANCE_NOT_ENOUGH"}
        elif behaviour == "hard":
            trade["trade_status"] = "TRADE_CLOSED"
            trade["answer"] = {"code": "40004", "sub_code": "ACQ.AGREEMENT_STATUS_NOT_NORMAL"}
        elif behaviour == "processing":
            trade["trade_status"] = "WAIT_BUYER_PAY"
            trade["answer"] = {"code": "10003", "msg": "order success pay inprocess", "trade_no": trade["trade_no"],
                               "out_trade_no": key[1]}  # fmt: skip
        else:
            trade["trade_status"] = "TRADE_SUCCESS"
            trade["answer"] = {"code": "10000", "trade_no": trade["trade_no"], "out_trade_no": key[1],
                               "total_amount": trade["total_amount"], "gmt_payment": trade["gmt_payment"]}  # fmt: skip
            if trade["notify_url"]:
                self._trade_notify(trade, sign_now=False)
        self.trades[key] = trade
        return trade["answer"]

    def _trade(self, params: dict, biz: dict) -> dict | None:
        if biz.get("out_trade_no"):
            return self.trades.get((params["app_id"], biz["out_trade_no"]))
        return next((t for (app, _no), t in self.trades.items()
                     if app == params["app_id"] and t["trade_no"] == biz.get("trade_no")), None)  # fmt: skip

    def _alipay_trade_query(self, params, biz):
        trade = self._trade(params, biz)
        if trade is None:
            return {"code": "40004", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        return {"code": "10000", "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"],
                "trade_status": trade["trade_status"], "total_amount": trade["total_amount"]}  # fmt: skip

    def _alipay_trade_refund(self, params, biz):
        trade = self._trade(params, biz)
        if trade is None or trade["trade_status"] not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            return {"code": "40004", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        key = (trade["trade_no"], biz.get("out_request_no", ""))
        if key in self.refunds:
            return {**self.refunds[key], "fund_change": "N"}
        amount = Decimal(biz.get("refund_amount", "0"))
        if amount <= 0 or trade["refunded"] + amount > Decimal(trade["total_amount"]):
            return {"code": "40004", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}
        trade["refunded"] += amount
        answer = {"code": "10000", "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"],
                  "refund_fee": f"{trade['refunded']:.2f}", "fund_change": "Y", "gmt_refund_pay": _now()}  # fmt: skip
        self.refunds[key] = {**answer, "refund_amount": f"{amount:.2f}", "app_id": params["app_id"]}
        return answer

    def zhima_authorise(self, app_id: str, mobile: str, score: int) -> None:
        """The customer agreed in Alipay that this app may read their Zhima score."""
        self.zhima_scores[(app_id, mobile)] = score
        self.state_save()

    def _alipay_fund_trans_uni_transfer(self, params, biz):
        key = (params["app_id"], biz.get("out_biz_no", ""))
        if key in self.transfers:  # the same out_biz_no: the first order, never a second payment
            return self.transfers[key]
        payee = biz.get("payee_info") or {}
        by_user_id = str(payee.get("identity", "")).startswith("2088")
        if payee.get("identity_type") != ("ALIPAY_USER_ID" if by_user_id else "ALIPAY_LOGON_ID"):
            return {"code": "40004", "sub_code": "INVALID_PARAMETER", "sub_msg": "identity_type"}
        if payee.get("identity") not in self.payees:
            return {"code": "40004", "sub_code": "PAYEE_NOT_EXIST", "sub_msg": "payee account does not exist"}
        if payee.get("name") and payee["name"] != self.payees[payee["identity"]]:
            return {"code": "40004", "sub_code": "PAYEE_USERINFO_ERROR", "sub_msg": "payee name does not match"}
        try:
            amount = Decimal(str(biz.get("trans_amount")))
        except ArithmeticError:
            return {"code": "40004", "sub_code": "INVALID_PARAMETER", "sub_msg": "trans_amount"}
        if amount <= 0 or amount.as_tuple().exponent < -2:
            return {"code": "40004", "sub_code": "INVALID_PARAMETER", "sub_msg": "trans_amount"}
        number = next(_numbers)
        self.transfers[key] = {"code": "10000", "out_biz_no": key[1], "order_id": f"2026{number:020d}",
                               "pay_fund_order_id": f"2026{number:020d}", "status": "SUCCESS", "trans_date": _now(),
                               "amount": str(amount), "payee": payee["identity"]}  # fmt: skip
        return self.transfers[key]

    def _alipay_trade_royalty_relation_bind(self, params, biz):
        receivers = biz.get("receiver_list") or []
        if not receivers or not biz.get("out_request_no"):
            return {"code": "40004", "sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": "receiver_list"}
        for receiver in receivers:
            account = receiver.get("account", "")
            if receiver.get("type") not in ("userId", "loginName") or account not in self.payees:
                return {"code": "40004", "sub_code": "ACQ.ROYALTY_RECEIVER_NOT_EXIST", "sub_msg": "receiver does not exist"}
            if receiver.get("name") and receiver["name"] != self.payees[account]:
                return {"code": "40004", "sub_code": "ACQ.ROYALTY_RECEIVER_NAME_NOT_MATCH", "sub_msg": "name does not match"}
            self.royalty_receivers.add((params["app_id"], account))
        return {"code": "10000", "msg": "Success", "result_code": "SUCCESS"}

    def _zhima_credit_score_get(self, params, biz):
        mobile = (biz.get("identity_param") or {}).get("mobileNo", "")
        score = self.zhima_scores.get((params["app_id"], mobile))
        if biz.get("product_code") != "w1010100100000000001" or not biz.get("transaction_id"):
            return {"code": "40004", "sub_code": "ZMCREDIT.invalid_params"}
        if score is None:
            return {"code": "40004", "sub_code": "ZMCREDIT.authentication_fail", "sub_msg": "用户未授权"}
        return {"code": "10000", "biz_no": f"ZM{biz['transaction_id'][:20]}", "zm_score": str(score)}

    def _alipay_data_dataservice_bill_downloadurl_query(self, params, biz):
        token = secrets.token_hex(8)
        self.bills[token] = (params["app_id"], biz.get("bill_date", ""))
        return {"code": "10000", "bill_download_url": f"{self.url}/bills/{token}.csv"}

    def statement_rows(self, app_id: str, day: str = "") -> list[dict[str, str]]:
        """The app's trades, refunds and transfers out of `day` (Beijing), as the statement lists them."""
        rows = [
            {"type": "trade", "trade_no": t["trade_no"], "out_trade_no": t["out_trade_no"], "amount": t["total_amount"]}
            for t in self.trades.values()
            if t["app_id"] == app_id and t["trade_status"] == "TRADE_SUCCESS" and t["gmt_payment"].startswith(day)
        ]
        rows += [{"type": "refund", "trade_no": r["trade_no"], "out_trade_no": r["out_trade_no"],
                  "out_request_no": no, "amount": f"-{r['refund_amount']}"}
                 for (_trade, no), r in self.refunds.items()
                 if r["app_id"] == app_id and r["gmt_refund_pay"].startswith(day)]  # fmt: skip
        rows += [{"type": "transfer", "trade_no": t["order_id"], "out_trade_no": out_biz_no,
                  "amount": f"-{t['amount']}", "payee": t["payee"]}
                 for (app, out_biz_no), t in self.transfers.items()
                 if app == app_id and t.get("code") == "10000" and t["trans_date"].startswith(day)]  # fmt: skip
        return rows

    def _bill(self, path: str) -> tuple[int, bytes, dict]:
        token = path.removeprefix("/bills/").removesuffix(".csv")
        if token not in self.bills:
            return 404, b"", {}
        app_id, day = self.bills[token]
        columns = ("type", "trade_no", "out_trade_no", "out_request_no", "amount", "payee")
        lines = [",".join(columns)]
        lines += [",".join(row.get(k, "") for k in columns)
                  for row in self.statement_rows(app_id, day)]  # fmt: skip
        return 200, ("\n".join(lines) + "\n").encode(), {"Content-Type": "text/csv; charset=utf-8"}
