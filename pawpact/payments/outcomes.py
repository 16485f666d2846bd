"""A rail's decline outcome in words a payer understands, and as the `decline_code` an API
client branches on."""
from django.utils.translation import gettext as _


def decline_reason(outcome: str, *, is_unknown: bool = False) -> str:
    if is_unknown or outcome.startswith("rail_error"):
        return _("the payment provider did not answer; nothing is charged twice if you try again")
    return {
        "insufficient_funds": _("insufficient funds"),
        "hard_decline": _("declined by the bank; use another payment method"),
        "invalid_token": _("the payment method is not valid"),
    }.get(outcome, _("declined"))


# The decline codes the API answers (docs/api.md › Errors); a rail's other refusals are `declined`.
DECLINE_CODES = ("insufficient_funds", "hard_decline", "invalid_token")


def decline_code(outcome: str) -> str:
    return outcome if outcome in DECLINE_CODES else "declined"
