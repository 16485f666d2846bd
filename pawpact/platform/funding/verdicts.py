"""A provider's answer on a payout account, in the language of whoever looks: the account
keeps a code and its parameters, and the sentence is chosen when the page is shown (an
account checked by a Chinese-speaking owner reads in English to an English-speaking admin).
Alipay's own code stays visible as a small detail, for support."""
from __future__ import annotations

from django.utils.translation import gettext_noop

from pawpact.core.reasons import Reasons

ALIPAY_BOUND = "alipay_bound"
ALIPAY_REFUSED = "alipay_refused"
STRIPE_READY = "stripe_ready"
STRIPE_NO_PAYOUTS = "stripe_no_payouts"
STRIPE_REFUSED = "stripe_refused"

WORDS = {
    ALIPAY_BOUND: gettext_noop("Alipay bound %(account)s as a receiver under the name %(name)s."),
    STRIPE_READY: gettext_noop("Stripe: %(account)s has payouts enabled."),
    STRIPE_NO_PAYOUTS: gettext_noop("Stripe: payouts are not enabled on this account yet."),
}
VERDICTS = Reasons(WORDS, kind="payout account verdict", defaults={"account": "", "name": ""})

# Alipay's refusal codes (ALIPAY_REFUSED keeps Alipay's code as its `reason`).
ALIPAY_WORDS = {
    "ACQ.ROYALTY_RECEIVER_NAME_NOT_MATCH": gettext_noop(
        "The holder name does not match the real name registered with Alipay for this account "
        "(a company account needs the company's full registered name)."),
    "ACQ.ROYALTY_RECEIVER_NOT_EXIST": gettext_noop(
        "Alipay cannot find this account: check the Alipay user id, email or mobile number."),
    "ACQ.ROYALTY_RECEIVER_ACCOUNT_STATUS_ERROR": gettext_noop(
        "This Alipay account is frozen or closed, so it cannot receive money."),
    "ACQ.ROYALTY_RECEIVER_NOT_CERTIFIED": gettext_noop(
        "This Alipay account has not completed real-name verification, so it cannot receive money."),
    "ACQ.ROYALTY_RECEIVER_IS_SELF": gettext_noop("The platform's own Alipay account cannot be a payout account."),
}  # fmt: skip
ALIPAY_REASONS = Reasons(ALIPAY_WORDS, kind="Alipay refusal", unknown=gettext_noop("Alipay refused this account."))

# Stripe's error codes (STRIPE_REFUSED keeps Stripe's code as its `reason`; "": none was given).
_NO_SUCH_ACCOUNT = gettext_noop("Stripe has no such account: check the connected account id (acct_…).")
STRIPE_WORDS = {
    "resource_missing": _NO_SUCH_ACCOUNT,
    "account_invalid": _NO_SUCH_ACCOUNT,
    "": _NO_SUCH_ACCOUNT,
}
STRIPE_REASONS = Reasons(STRIPE_WORDS, kind="Stripe refusal", unknown=gettext_noop("Stripe refused this account."))


def alipay_reason_text(reason: str) -> str:
    """Alipay's refusal as a plain sentence (a general one for a code we do not know)."""
    return ALIPAY_REASONS.text(reason)


def verdict_text(code: str, params: dict | None, *, said: str = "") -> str:
    """The provider's answer worded in the active language; `said` (the note recorded at the
    time) for an account kept without a code, or with one this release cannot word."""
    if not code:
        return said
    params = params or {}
    if code == ALIPAY_REFUSED:
        return alipay_reason_text(params.get("reason", ""))
    if code == STRIPE_REFUSED:
        return STRIPE_REASONS.text(params.get("reason"))
    return VERDICTS.text(code, params, said=said)


def verdict_detail(code: str, params: dict | None) -> str:
    """The provider's own code, for support ("" when there is none worth showing)."""
    if code in (ALIPAY_REFUSED, STRIPE_REFUSED):
        return str((params or {}).get("reason", ""))
    return ""


class VerdictWords:
    """A payout account's recorded answer, worded for whoever looks."""

    verdict_code: str
    verdict_params: dict
    note: str

    @property
    def note_text(self) -> str:
        return verdict_text(self.verdict_code, self.verdict_params, said=self.note)

    @property
    def note_detail(self) -> str:
        return verdict_detail(self.verdict_code, self.verdict_params)
