"""A local fake of WeChat Pay's APIv3 for 委托代扣 (papay, entrusted debits).

    gateway = FakeWechat(latency_seconds=0.15, rate_limit=500).start()
    gateway.merchant_register(mchid, merchant_public_key_pem, serial_no, apiv3_key, appid)
    notification = gateway.customer_signs(pre_entrustweb_id)   # the customer signs in WeChat

Every request must carry a valid `WECHATPAY2-SHA256-RSA2048` Authorization (signed by the
merchant's key, timestamp within 5 minutes); every answer and notification is signed by
the platform's key, whose certificate `/v3/certificates` serves AEAD_AES_256_GCM-encrypted
with the merchant's APIv3 key. Endpoints: pre-entrust-sign, contract query/terminate, the
pre-debit notice (required before each debit, amount at most the notice's estimate),
transactions/apply (accepted; the outcome follows by notification or query), order
query, domestic refunds, and the trade bill. The mini-program login calls of WeChat's other
host (jscode2session, access tokens) answer here too, unsigned as WeChat's are
(pawpact.sandbox.gateways.wechat_miniprogram).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from cryptography.x509.oid import NameOID

from pawpact.sandbox.gateways.base import (
    FakeGateway,
    notification_post_json,
    private_pem,
    public_pem,
    rsa2_sign,
    rsa2_verify,
    rsa_key_new,
)
from pawpact.sandbox.gateways.state import PersistentState, Sequence
from pawpact.sandbox.gateways.wechat_miniprogram import PATHS as MINIPROGRAM_PATHS
from pawpact.sandbox.gateways.wechat_miniprogram import MiniProgramFake

TIMESTAMP_TOLERANCE_SECONDS = 300
BEIJING = ZoneInfo("Asia/Shanghai")
_numbers = Sequence()
SIGN_PATH = "/papay/sign/"
SIGN_PAGE = """<!doctype html><html lang="zh-Hans"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>微信支付 委托代扣 (fake)</title>
<body style="font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem">
<h1 style="font-size:1.2rem">微信支付 · 委托代扣协议 (local fake WeChat Pay)</h1>
<p>The shop asks to debit your WeChat Pay balance or card once a month, as your adoption plan says.</p>
<form method="post" action="{action}"><input type="hidden" name="agree" value="1">
<button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">同意并签约 / Agree and sign</button></form>
</body></html>"""
HTML = {"Content-Type": "text/html; charset=utf-8"}
# Like the real page with return_web=1: after signing the phone goes back to the page that
# opened the signing (its Referer), marked from_wxpay=1; without one, the user goes back by hand.
DONE_PAGE = """<!doctype html><html lang="zh-Hans"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>签约成功 (fake)</title>
<body style="font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem">
<p>{message}</p><p><a href="javascript:history.go(-2)" style="font-size:1rem">返回商户 / Back to the shop</a></p>
</body></html>"""


def _certificate(key) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (fake)")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256())
    )  # fmt: skip


def aead_encrypt(apiv3_key: str, plaintext: str, associated_data: str) -> dict:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat sends
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plaintext.encode(), associated_data.encode())
    return {"algorithm": "AEAD_AES_256_GCM", "nonce": nonce, "associated_data": associated_data,
            "ciphertext": base64.b64encode(ciphertext).decode()}  # fmt: skip


def _today() -> str:
    return datetime.now(UTC).astimezone(BEIJING).date().isoformat()


def bill_csv(orders: list[dict], refunds: list[dict]) -> str:
    """The fake's trade bill: one line per paid order and per refund, amounts in fen."""
    lines = ["type,transaction_id,out_trade_no,out_refund_no,amount"]
    lines += [f"charge,{o['transaction_id']},{o['out_trade_no']},,{o['amount']['total']}" for o in orders]
    lines += [f"refund,{r['transaction_id']},{r['out_trade_no']},{r['out_refund_no']},-{r['amount']['refund']}"
              for r in refunds]  # fmt: skip
    return "\n".join(lines) + "\n"


class FakeWechat(MiniProgramFake, PersistentState, FakeGateway):
    # What a restart keeps (pawpact.sandbox.gateways.state), with the platform key and certificate.
    STATE_FIELDS = ("presigns", "contracts", "notices", "orders", "refunds", "bills",
                    *MiniProgramFake.MINIPROGRAM_STATE_FIELDS)  # fmt: skip

    def __init__(self, *, latency_seconds: float = 0.0, rate_limit: float | None = None) -> None:
        super().__init__(latency_seconds=latency_seconds, rate_limit=rate_limit)
        self.key = rsa_key_new()
        self.certificate = _certificate(self.key)
        self.serial = format(self.certificate.serial_number, "X")
        self.merchants: dict[str, dict] = {}
        self.presigns: dict[str, dict] = {}
        self.contracts: dict[str, dict] = {}
        self.notices: dict[str, int] = {}  # contract id → estimated amount of the latest notice
        self.orders: dict[tuple[str, str], dict] = {}
        self.refunds: dict[tuple[str, str], dict] = {}
        self.notifications: list[tuple[str, dict[str, str], str]] = []
        self.calls: dict[str, int] = {}
        self.rejected: list[str] = []
        self.bills: dict[str, str] = {}
        self.miniprogram_init()

    def merchant_register(self, mchid: str, public_key_pem: str, serial_no: str, apiv3_key: str, appid: str) -> None:
        self.merchants[mchid] = {"key": load_pem_public_key(public_key_pem.encode()), "serial": serial_no.upper(),
                                 "apiv3_key": apiv3_key, "appid": appid}  # fmt: skip
        self.state_save()

    def state_extra_dump(self) -> dict:
        merchants = {mchid: {**merchant, "key": public_pem(merchant["key"])} for mchid, merchant in self.merchants.items()}
        certificate = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        return {"merchants": merchants, "key": private_pem(self.key), "certificate": certificate,
                "numbers": _numbers.value}  # fmt: skip

    def state_extra_load(self, state: dict) -> None:
        for mchid, merchant in state.get("merchants", {}).items():
            self.merchants.setdefault(mchid, {**merchant, "key": load_pem_public_key(merchant["key"].encode())})
        if state.get("key") and state.get("certificate"):
            self.key = serialization.load_pem_private_key(state["key"].encode(), password=None)
            self.certificate = x509.load_pem_x509_certificate(state["certificate"].encode())
            self.serial = format(self.certificate.serial_number, "X")
        _numbers.advance_to(state.get("numbers", 0))

    def dispatch(self, handler, method: str) -> None:
        super().dispatch(handler, method)
        self.state_save()

    # --- signing -------------------------------------------------------------------

    def signed_headers(self, body: str) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce, "Wechatpay-Serial": self.serial,
                "Wechatpay-Signature": rsa2_sign(self.key, f"{timestamp}\n{nonce}\n{body}\n"),
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}  # fmt: skip

    def _caller(self, handler, method: str, body: bytes) -> tuple[str, str]:
        """(mchid, "") for a correctly signed request, else ("", the reason)."""
        scheme, _sep, fields = (handler.headers.get("Authorization") or "").partition(" ")
        parts = dict(item.split("=", 1) for item in fields.split(",") if "=" in item)
        parts = {name.strip(): value.strip().strip('"') for name, value in parts.items()}
        merchant = self.merchants.get(parts.get("mchid", ""))
        if scheme != "WECHATPAY2-SHA256-RSA2048" or merchant is None:
            return "", "unknown merchant or scheme"
        if parts.get("serial_no", "").upper() != merchant["serial"]:
            return "", "unknown certificate serial"
        if not parts.get("timestamp", "").isdigit() or abs(time.time() - int(parts["timestamp"])) > 300:
            return "", "stale timestamp"
        text = f"{method}\n{handler.path}\n{parts['timestamp']}\n{parts.get('nonce_str', '')}\n{body.decode()}\n"
        if not rsa2_verify(merchant["key"], text, parts.get("signature", "")):
            return "", "bad signature"
        return parts["mchid"], ""

    def _reply(self, status: int, payload: dict | None) -> tuple[int, bytes, dict]:
        body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
        return status, body.encode(), self.signed_headers(body)

    def notify(self, url: str, mchid: str, event_type: str, resource: dict) -> tuple[str, dict[str, str], str]:
        original = "transaction" if event_type.startswith("TRANSACTION") else "contract"
        body = json.dumps({
            "id": secrets.token_hex(18), "create_time": datetime.now(UTC).isoformat(), "event_type": event_type,
            "resource_type": "encrypt-resource", "summary": event_type,
            "resource": {**aead_encrypt(self.merchants[mchid]["apiv3_key"], json.dumps(resource), original),
                         "original_type": original},
        })  # fmt: skip
        notification = (url, self.signed_headers(body), body)
        with self._lock:
            self.notifications.append(notification)
        return notification

    # --- the customer's side -------------------------------------------------------

    def customer_signs(self, pre_entrustweb_id: str) -> tuple[str, dict[str, str], str]:
        presign = self.presigns[pre_entrustweb_id]
        contract_id = f"{next(_numbers):018d}"
        self.contracts[contract_id] = {**presign, "contract_id": contract_id, "state": "SIGNED",
                                       "behaviour": presign.get("behaviour", "success")}  # fmt: skip
        notification = self.notify(presign["notify_url"], presign["mchid"], "PAPAY.SIGN", {
            "mchid": presign["mchid"], "appid": presign["appid"], "contract_id": contract_id,
            "out_contract_code": presign["out_contract_code"], "plan_id": presign["plan_id"],
            "contract_state": "SIGNED", "openid": f"o{secrets.token_hex(14)}",
            "contract_signed_time": datetime.now(UTC).isoformat(),
        })  # fmt: skip
        self.state_save()
        return notification

    # --- HTTP ----------------------------------------------------------------------

    def _sign_page(self, handler, method: str, body: bytes) -> tuple[int, bytes, dict]:
        """The page the customer's WeChat opens from redirect_url: agreeing signs the contract
        and POSTs the signed, AEAD-encrypted PAPAY.SIGN notification to the merchant's
        contract_notify_url before answering (WeChat notifies in the background; a late or
        repeated notification is for tests to play). Each pre-sign is signed at most once."""
        presign_id = urlsplit(handler.path).path.removeprefix(SIGN_PATH).strip("/")
        presign = self.presigns.get(presign_id)
        if presign is None or presign.get("signed"):
            return 404, DONE_PAGE.format(message="签约链接无效 / This signing link is not valid.").encode(), HTML
        if method != "POST" or b"agree=1" not in body:
            referer = handler.headers.get("Referer", "")
            if referer.startswith(("http://", "https://")) and not referer.startswith(self.url):
                presign["return_to"] = referer
            return 200, SIGN_PAGE.format(action=html.escape(handler.path, quote=True)).encode(), HTML
        with self._lock:
            presign["signed"] = True
        url, headers, notification = self.customer_signs(presign_id)
        notification_post_json(url, notification, headers)
        if presign.get("return_to"):
            back = presign["return_to"]
            return 302, b"", {"Location": f"{back}{'&' if '?' in back else '?'}from_wxpay=1"}
        return 200, DONE_PAGE.format(message="签约成功 / Signed.").encode(), HTML

    def handle(self, handler, method, body):
        if handler.path.startswith(MINIPROGRAM_PATHS):  # api.weixin.qq.com's calls: no WeChat Pay signature
            return self.miniprogram_handle(handler, method, body)
        if handler.path.startswith(SIGN_PATH):
            return self._sign_page(handler, method, body)
        if not handler.admitted:
            return self._reply(429, {"code": "RATELIMIT_EXCEEDED", "message": "too many requests"})
        mchid, problem = self._caller(handler, method, body)
        if problem:
            self.rejected.append(problem)
            return 401, json.dumps({"code": "SIGN_ERROR", "message": problem}).encode(), {}
        path = urlsplit(handler.path).path
        query = dict(parse_qsl(urlsplit(handler.path).query))
        data = json.loads(body or b"{}")
        with self._lock:
            for route_method, prefix, action in self.ROUTES:
                if method == route_method and path.startswith(prefix):
                    self.calls[prefix] = self.calls.get(prefix, 0) + 1
                    rest = path.removeprefix(prefix)
                    return getattr(self, action)(mchid, rest, data, query)
        return self._reply(404, {"code": "NOT_FOUND", "message": path})

    ROUTES = (
        ("GET", "/v3/certificates", "_certificates"),
        ("POST", "/v3/papay/sign/contracts/pre-entrust-sign", "_presign"),
        ("GET", "/v3/papay/sign/contracts/contract-id/", "_contract_query"),
        ("POST", "/v3/papay/sign/contracts/contract-id/", "_contract_terminate"),
        ("POST", "/v3/papay/contracts/", "_pre_debit_notice"),
        ("POST", "/v3/papay/pay/transactions/apply", "_apply"),
        ("GET", "/v3/pay/transactions/out-trade-no/", "_order_query"),
        ("POST", "/v3/refund/domestic/refunds", "_refund"),
        ("GET", "/v3/bill/tradebill", "_tradebill"),
        ("GET", "/v3/billdownload/file", "_bill_file"),
    )

    def _certificates(self, mchid, rest, data, query):
        pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        now = datetime.now(UTC)
        return self._reply(200, {"data": [{
            "serial_no": self.serial, "effective_time": (now - timedelta(days=1)).isoformat(),
            "expire_time": (now + timedelta(days=365)).isoformat(),
            "encrypt_certificate": aead_encrypt(self.merchants[mchid]["apiv3_key"], pem, "certificate"),
        }]})  # fmt: skip

    def _presign(self, mchid, rest, data, query):
        presign_id = secrets.token_hex(12)
        self.presigns[presign_id] = {"mchid": mchid, "appid": data.get("appid"), "plan_id": data.get("plan_id"),
                                     "out_contract_code": data.get("out_contract_code"),
                                     "notify_url": data.get("contract_notify_url", "")}  # fmt: skip
        return self._reply(200, {"pre_entrustweb_id": presign_id,
                                 "redirect_url": f"{self.url}/papay/sign/{presign_id}"})  # fmt: skip

    def _contract(self, mchid: str, contract_id: str) -> dict | None:
        contract = self.contracts.get(contract_id)
        return contract if contract is not None and contract["mchid"] == mchid else None

    def _contract_query(self, mchid, rest, data, query):
        contract = self._contract(mchid, rest.strip("/"))
        if contract is None:
            return self._reply(404, {"code": "CONTRACT_NOT_EXIST", "message": "no such contract"})
        return self._reply(
            200,
            {key: contract[key] for key in ("contract_id", "out_contract_code", "plan_id")}
            | {"contract_state": contract["state"]},
        )

    def _contract_terminate(self, mchid, rest, data, query):
        contract = self._contract(mchid, rest.removesuffix("/terminate").strip("/"))
        if contract is None:
            return self._reply(404, {"code": "CONTRACT_NOT_EXIST", "message": "no such contract"})
        contract["state"] = "TERMINATED"
        return self._reply(204, None)

    def _pre_debit_notice(self, mchid, rest, data, query):
        contract = self._contract(mchid, rest.removesuffix("/notify").strip("/"))
        if contract is None or contract["state"] != "SIGNED":
            return self._reply(400, {"code": "CONTRACT_NOT_EXIST", "message": "contract not signed"})
        self.notices[contract["contract_id"]] = int((data.get("estimated_amount") or {}).get("amount", 0))
        return self._reply(204, None)

    def _apply(self, mchid, rest, data, query):
        key = (mchid, data.get("out_trade_no", ""))
        if key in self.orders:
            return self._reply(204, None)  # accepted already: one order per out_trade_no
        contract = self._contract(mchid, data.get("contract_id", ""))
        total = int((data.get("amount") or {}).get("total", 0))
        if contract is None or contract["state"] != "SIGNED":
            return self._reply(400, {"code": "CONTRACT_ERROR", "message": "contract not in force"})
        if self.notices.get(contract["contract_id"], 0) < total:
            return self._reply(400, {"code": "RULE_LIMIT", "message": "no pre-debit notice covers this amount"})
        state = {"insufficient": "PAYERROR", "processing": "ACCEPT"}.get(contract["behaviour"], "SUCCESS")
        order = {"mchid": mchid, "appid": data.get("appid"), "out_trade_no": key[1], "trade_state": state,
                 "transaction_id": f"42000{next(_numbers):023d}", "amount": {"total": total, "currency": "CNY"},
                 "notify_url": data.get("transaction_notify_url", ""), "refunded": 0,
                 "contract_id": contract["contract_id"], "attach": data.get("attach", ""), "day": _today()}  # fmt: skip
        self.orders[key] = order
        if state != "ACCEPT":
            self.notices.pop(contract["contract_id"], None)  # one debit per notice
            self._order_notify(order)
        return self._reply(204, None)

    def _order_notify(self, order: dict) -> None:
        if order["notify_url"]:
            event = "TRANSACTION.SUCCESS" if order["trade_state"] == "SUCCESS" else "TRANSACTION.FAIL"
            self.notify(order["notify_url"], order["mchid"], event, self._order_view(order))

    @staticmethod
    def _order_view(order: dict) -> dict:
        keys = ("mchid", "appid", "out_trade_no", "transaction_id", "trade_state", "amount", "contract_id", "attach")
        return {key: order[key] for key in keys}

    def settle_pending(self) -> None:
        for order in self.orders.values():
            if order["trade_state"] == "ACCEPT":
                order["trade_state"] = "SUCCESS"
                self._order_notify(order)
        self.state_save()

    def _order_query(self, mchid, rest, data, query):
        order = self.orders.get((mchid, rest.strip("/")))
        if order is None or query.get("mchid") != mchid:
            return self._reply(404, {"code": "ORDER_NOT_EXIST", "message": "no such order"})
        return self._reply(200, self._order_view(order))

    def _refund(self, mchid, rest, data, query):
        order = next((o for o in self.orders.values()
                      if o["mchid"] == mchid and o["transaction_id"] == data.get("transaction_id")), None)  # fmt: skip
        if order is None or order["trade_state"] != "SUCCESS":
            return self._reply(404, {"code": "RESOURCE_NOT_EXISTS", "message": "no such paid order"})
        key = (mchid, data.get("out_refund_no", ""))
        if key in self.refunds:
            return self._reply(200, self.refunds[key])
        amount = int((data.get("amount") or {}).get("refund", 0))
        if amount <= 0 or order["refunded"] + amount > order["amount"]["total"]:
            return self._reply(400, {"code": "INVALID_REQUEST", "message": "refund exceeds the order's amount"})
        order["refunded"] += amount
        self.refunds[key] = {"refund_id": f"50300{next(_numbers):023d}", "out_refund_no": key[1],
                             "transaction_id": order["transaction_id"], "out_trade_no": order["out_trade_no"],
                             "status": "SUCCESS", "amount": {"refund": amount, "total": order["amount"]["total"],
                                                             "currency": "CNY"}, "day": _today()}  # fmt: skip
        return self._reply(200, self.refunds[key])

    def _tradebill(self, mchid, rest, data, query):
        token = secrets.token_hex(8)
        day = query.get("bill_date", "")
        orders = [
            o for o in self.orders.values() if o["mchid"] == mchid and o["trade_state"] == "SUCCESS" and o["day"] == day
        ]
        refunds = [r for (m, _no), r in self.refunds.items() if m == mchid and r["day"] == day]  # fmt: skip
        body = bill_csv(orders, refunds)
        self.bills[token] = body
        return self._reply(200, {"hash_type": "SHA1", "hash_value": hashlib.sha1(body.encode()).hexdigest(),
                                 "download_url": f"{self.url}/v3/billdownload/file?token={token}"})  # fmt: skip

    def _bill_file(self, mchid, rest, data, query):
        body = self.bills.get(query.get("token", ""))
        if body is None:
            return self._reply(404, {"code": "NOT_FOUND", "message": "no such bill"})
        return 200, body.encode(), {"Content-Type": "text/csv; charset=utf-8"}
