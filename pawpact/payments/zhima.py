"""Zhima credit (芝麻信用) scores through Alipay's open platform: `zhima.credit.score.get`.

The same signed exchange as the Alipay rail (python-alipay-sdk, RSA2 both ways), with the
shop's Zhima app credentials. Alipay answers only for a user who authorised the shop
(the customer agrees in Alipay when the shop asks); the transaction id is ours, the same
for every retry of one check, so Alipay counts (and bills) one query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pawpact.payments.alipay import AlipayRail
from pawpact.payments.errors import ProviderRefused
from pawpact.payments.gateways import adapter_for_current_shop, gateway_url
from pawpact.tenants.credentials import Credentials
from pawpact.tenants.enums import Provider

PRODUCT_CODE = "w1010100100000000001"  # Zhima's score product
MIN_SCORE, MAX_SCORE = 350, 950


@dataclass(frozen=True)
class ZhimaScore:
    score: int
    biz_no: str


class ZhimaCredit:
    is_sandbox = False

    def __init__(self, *, credentials: Credentials, gateway: str) -> None:
        self._rail = AlipayRail(credentials=credentials, gateway=gateway)

    @classmethod
    def for_current_shop(cls, *, livemode: bool) -> ZhimaCredit:
        gateway = gateway_url(Provider.ZHIMA, livemode=livemode)
        return adapter_for_current_shop(
            Provider.ZHIMA, livemode=livemode, build=lambda creds, _url: cls(credentials=creds, gateway=gateway)
        )

    def score(self, *, mobile: str, check_key: str) -> ZhimaScore:
        """The customer's Zhima score; ProviderRefused when Alipay has none to give (no consent, unknown user)."""
        biz = {
            "transaction_id": hashlib.sha256(check_key.encode()).hexdigest()[:32],
            "product_code": PRODUCT_CODE,
            "identity_type": "1",  # identified by mobile number, as authorised
            "identity_param": {"mobileNo": mobile},
        }
        answer = self._rail._agreement_call("zhima.credit.score.get", biz)
        try:
            score = int(answer["zm_score"])
        except (KeyError, TypeError, ValueError):
            raise ProviderRefused(_("Zhima answered without a score.")) from None
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise ProviderRefused(_("Zhima answered a score out of range."))
        return ZhimaScore(score=score, biz_no=str(answer.get("biz_no", "")))

    def verify(self) -> None:
        self._rail.verify()
