"""A provider's answer on a payout account, in the language of whoever looks: the account
keeps a code and its parameters, and the sentence is chosen when the page is shown (an
account checked by a Chinese-speaking owner reads in English to an English-speaking admin).
Alipay's own code stays visible as a small detail, for support."""
from __future__ import annotations

from django.utils.translation import gettext as _

ALIPAY_BOUND = "alipay_bound"
ALIPAY_REFUSED = "alipay_refused"
STRIPE_READY = "stripe_ready"
STRIPE_NO_PAYOUTS = "stripe_no_payouts"
STRIPE_REFUSED = "stripe_refused"

_ALIPAY_REASONS = {
    "ACQ.ROYALTY_RECEIVER_NAME_NOT_MATCH": lambda: _(
        "The holder name does not match the real name registered with Alipay for this account "
        "(a company account needs the company's full registered name)."),
    "ACQ.ROYALTY_RECEIVER_NOT_EXIST": lambda: _(
        "Alipay cannot find this account: check the Alipay user id, email or mobile number."),
    "ACQ.ROYALTY_RECEIVER_ACCOUNT_STATUS_ERROR": lambda: _(
        "This Alipay account is frozen or closed, so it cannot receive money."),
    "ACQ.ROYALTY_RECEIVER_NOT_CERTIFIED": lambda: _(
        "This Alipay account has not completed real-name verification, so it cannot receive money."),
    "ACQ.ROYALTY_RECEIVER_IS_SELF": lambda: _("The platform's own Alipay account cannot be a payout account."),
}  # fmt: skip


def alipay_reason_text(reason: str) -> str:
    """Alipay's refusal as a plain sentence (a general one for a code we do not know)."""
    worded = _ALIPAY_REASONS.get(reason)
    return worded() if worded else _("Alipay refused this account.")


def verdict_text(code: str, params: dict | None) -> str:
    """The provider's answer worded in the active language ("" for no code)."""
    params = params or {}
    words = {
        ALIPAY_BOUND: lambda: _("Alipay bound %(account)s as a receiver under the name %(name)s.") % {
            "account": params.get("account", ""), "name": params.get("name", "")},
        ALIPAY_REFUSED: lambda: alipay_reason_text(params.get("reason", "")),
        STRIPE_READY: lambda: _("Stripe: %(account)s has payouts enabled.") % {"account": params.get("account", "")},
        STRIPE_NO_PAYOUTS: lambda: _("Stripe: payouts are not enabled on this account yet."),
        STRIPE_REFUSED: lambda: (
            _("Stripe has no such account: check the connected account id (acct_…).")
            if params.get("reason") in ("resource_missing", "account_invalid", "")
            else _("Stripe refused this account.")),
    }  # fmt: skip
    worded = words.get(code)
    return worded() if worded else ""


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
        return verdict_text(self.verdict_code, self.verdict_params) or self.note

    @property
    def note_detail(self) -> str:
        return verdict_detail(self.verdict_code, self.verdict_params)
