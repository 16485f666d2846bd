"""A local fake of Aliyun SMS (短信服务, dysmsapi 2017-05-25) speaking its signed RPC protocol.

    gateway = FakeAliyunSms().start()
    gateway.account_register("LTAI5tExampleKey01", "the-access-key-secret-0123456789")
    gateway.sign_register("宠约", approved=True); gateway.template_register("SMS_100000001")

Requests are POSTs to "/" with the action in `x-acs-action` and its parameters in the
query, authorised by an `ACS3-HMAC-SHA256` signature over the canonical request, as
Alibaba Cloud's OpenAPI v3 signs them (the official SDK sends exactly that). A request
signed with an unknown key or a wrong secret is answered 4xx like Aliyun does. Actions:
SendSms (the message is kept in `sent` with its BizId), QuerySmsSign, QuerySendDetails
(by phone and send date, BizId optional; `pending` holds BizIds whose receipt has not come).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from pawpact.sandbox.gateways.base import FakeGateway

BEIJING = ZoneInfo("Asia/Shanghai")
ALGORITHM = "ACS3-HMAC-SHA256"
_biz_ids = itertools.count(100000)
# A mainland mobile, or an international number as Aliyun takes it (country code and number).
MAINLAND_MOBILE = re.compile(r"(?:\+?86)?1\d{10}|[2-9]\d{7,14}")


def canonical_request(method: str, path: str, query: dict[str, str], headers: dict[str, str], signed: list[str]) -> str:
    canonical_query = "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    payload_hash = headers.get("x-acs-content-sha256", "")
    return f"{method}\n{path or '/'}\n{canonical_query}\n{canonical_headers}\n{';'.join(signed)}\n{payload_hash}"


def acs3_signature(secret: str, canonical: str) -> str:
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


class FakeAliyunSms(FakeGateway):
    def __init__(self, *, latency_seconds: float = 0.0, rate_limit: float | None = None) -> None:
        super().__init__(latency_seconds=latency_seconds, rate_limit=rate_limit)
        self.accounts: dict[str, str] = {}
        self.signs: dict[str, int] = {}  # sign name → SignStatus (0 reviewing, 1 approved, 2 rejected)
        self.templates: set[str] = set()
        self.sent: list[dict] = []
        self.rejected: list[str] = []
        self.undeliverable: set[str] = set()  # phone numbers whose messages fail at the carrier
        self.pending: set[str] = set()  # BizIds the carrier has not reported on yet
        self._sent_lock = threading.Lock()

    def account_register(self, access_key_id: str, access_key_secret: str) -> None:
        self.accounts[access_key_id] = access_key_secret

    def sign_register(self, sign_name: str, *, approved: bool = True) -> None:
        self.signs[sign_name] = 1 if approved else 0

    def template_register(self, template_code: str) -> None:
        self.templates.add(template_code)

    def handle(self, handler, method, body):
        headers = {name.lower(): value for name, value in handler.headers.items()}
        query = dict(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True))
        problem = self._auth_problem(method, urlsplit(handler.path).path, query, headers, body)
        if problem:
            self.rejected.append(problem)
            status = 404 if problem == "InvalidAccessKeyId.NotFound" else 400
            return status, json.dumps({"Code": problem, "Message": problem, "RequestId": "fake"}).encode(), {}
        if not handler.admitted:
            return 200, json.dumps({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "flow limit"}).encode(), {}
        action = headers.get("x-acs-action", "")
        act = getattr(self, f"_{action}", None)
        result = act(query) if act else {"Code": "InvalidAction.NotFound", "Message": action}
        return 200, json.dumps({"RequestId": f"fake-{next(_biz_ids)}", **result}, ensure_ascii=False).encode(), {}

    def _auth_problem(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> str:
        match = re.fullmatch(
            rf"{ALGORITHM} Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)",
            headers.get("authorization", ""),
        )
        if match is None:
            return "MissingAuthorization"
        key_id, signed, signature = match.groups()
        secret = self.accounts.get(key_id)
        if secret is None:
            return "InvalidAccessKeyId.NotFound"
        if hashlib.sha256(body).hexdigest() != headers.get("x-acs-content-sha256"):
            return "ContentSHA256NotMatch"
        expected = acs3_signature(secret, canonical_request(method, path, query, headers, signed.split(";")))
        if not hmac.compare_digest(expected, signature):
            return "SignatureDoesNotMatch"
        return ""

    def _SendSms(self, query: dict) -> dict:  # noqa: N802 - Aliyun's action name
        phone, sign, template = query.get("PhoneNumbers", ""), query.get("SignName", ""), query.get("TemplateCode", "")
        if not MAINLAND_MOBILE.fullmatch(phone):
            return {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "invalid mobile number"}
        if self.signs.get(sign) != 1:
            return {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "signature not approved"}
        if template not in self.templates:
            return {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "template not approved"}
        try:
            params = json.loads(query.get("TemplateParam") or "{}")
        except ValueError:
            return {"Code": "isv.INVALID_JSON_PARAM", "Message": "TemplateParam is not JSON"}
        biz_id = f"{next(_biz_ids)}^0"
        with self._sent_lock:
            self.sent.append({"biz_id": biz_id, "phone": phone, "sign": sign, "template": template, "params": params,
                              "out_id": query.get("OutId", ""), "delivered": phone not in self.undeliverable,
                              "at": datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")})  # fmt: skip
        return {"Code": "OK", "Message": "OK", "BizId": biz_id}

    def _QuerySmsSign(self, query: dict) -> dict:  # noqa: N802
        name = query.get("SignName", "")
        if name not in self.signs:
            return {"Code": "isv.SMS_SIGN_ILLEGAL", "Message": "unknown sign"}
        return {"Code": "OK", "Message": "OK", "SignName": name, "SignStatus": self.signs[name]}

    def _QuerySendDetails(self, query: dict) -> dict:  # noqa: N802
        if not re.fullmatch(r"\d{8}", query.get("SendDate", "")):
            return {"Code": "isv.INVALID_PARAMETERS", "Message": "SendDate is required (yyyyMMdd)"}
        day, biz_id = query["SendDate"], query.get("BizId")
        with self._sent_lock:
            rows = [s for s in self.sent if s["phone"] == query.get("PhoneNumber") and (not biz_id or s["biz_id"] == biz_id)
                    and s["at"][:10].replace("-", "") == day]  # fmt: skip
        details = [
            {"PhoneNum": s["phone"], "SendStatus": 1 if s["biz_id"] in self.pending else 3 if s["delivered"] else 2, "ErrCode": "DELIVERED" if s["delivered"]
             else "MK:0001", "TemplateCode": s["template"], "OutId": s["out_id"], "ReceiveDate": s["at"],
             "SendDate": s["at"], "Content": json.dumps(s["params"], ensure_ascii=False)}
            for s in rows
        ]  # fmt: skip
        return {"Code": "OK", "Message": "OK", "TotalCount": len(details),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}}  # fmt: skip
