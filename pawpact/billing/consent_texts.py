"""The versioned wordings a customer agrees to. A consent keeps the exact text agreed (for the
record) and which version it was with its parameters, so that pages word it in the reader's
language. A changed wording is a new key; old keys stay, as consents given under them do."""

from django.utils.translation import gettext, gettext_noop

CREDIT_CHECK_V1 = "credit-check-v1"
TEXTS = {
    CREDIT_CHECK_V1: gettext_noop(
        "I agree that %(shop)s reads my Zhima Credit score (芝麻信用, Alipay) once, to decide the deposit "
        "of this adoption contract. The score is used for this contract only and is not shared."
    ),
}
CURRENT_CREDIT_CHECK = CREDIT_CHECK_V1


def consent_text(key: str, params: dict) -> str:
    """The wording of `key` in the active language, or "" for an unknown key."""
    template = TEXTS.get(key)
    return gettext(template) % params if template else ""
