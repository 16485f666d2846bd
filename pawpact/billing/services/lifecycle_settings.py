"""The shop's lifecycle rules: one BillingSettings row per shop schema.

`billing_settings_get()` returns it, creating it with SPEC.md's defaults on
first use, so every lifecycle service (reminders, dunning, deferrals, renewal,
win-back) reads the same row:

    from pawpact.billing.services.lifecycle_settings import billing_settings_get

    settings_row = billing_settings_get()
    settings_row.reminder_days_before  # 3

Renewal rewards are keyed by the number of periods of the renewed contract
("12", "24"); each option is a dict with a stable `key` (what
`renewal_accept(option_key=...)` takes), a `label` (English source, shown
through gettext), and its effects:

- `free_months`: that many monthly amounts are taken off the new contract,
  as a discount on its first periods (see pawpact/billing/services/renewal.py);
- `discount_rate`: a Decimal string applied to the monthly amount with
  `apply_rate` (e.g. "0.100" → monthly × 0.9);
- `gift_value_minor`, `services`, `gifts`: non-monetary rewards, recorded on
  the offer for staff to hand over.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.billing.models import BillingSettings
from pawpact.core.errors import ValidationFailed

DEFAULT_REMINDER_DAYS_BEFORE = 3
DEFAULT_RETRY_DAYS: list[int] = [1, 3, 5]
DEFAULT_ESCALATION_STEPS: list[dict[str, Any]] = [
    {"day": 1, "action": "sms"},
    {"day": 3, "action": "call"},
    {"day": 15, "action": "visit"},
]
DEFAULT_DEFERRALS_PER_CONTRACT = 1
DEFAULT_WINBACK_FIRST_MONTH_DISCOUNT = Decimal("0.500")

DEFAULT_RENEWAL_REWARDS: dict[str, list[dict[str, Any]]] = {
    "12": [
        {
            "key": "gift_pack_groomings",
            "label": "Gift pack worth ¥200 + 2 free groomings",
            "gift_value_minor": 20000,
            "services": [{"service": "grooming", "quantity": 2}],
            "gifts": [{"item": "gift_pack", "quantity": 1}],
            "free_months": 0,
            "discount_rate": "0",
        },
        {
            "key": "one_month_free",
            "label": "1 month free",
            "gift_value_minor": 0,
            "services": [],
            "gifts": [],
            "free_months": 1,
            "discount_rate": "0",
        },
    ],
    "24": [
        {
            "key": "ten_percent_vaccine",
            "label": "10% off the monthly price + 1 free vaccine",
            "gift_value_minor": 0,
            "services": [{"service": "vaccine", "quantity": 1}],
            "gifts": [],
            "free_months": 0,
            "discount_rate": "0.100",
        },
        {
            "key": "two_months_free_food",
            "label": "2 months free + a bag of imported food",
            "gift_value_minor": 0,
            "services": [],
            "gifts": [{"item": "imported_food_bag", "quantity": 1}],
            "free_months": 2,
            "discount_rate": "0",
        },
    ],
}

# Two concurrent first uses serialise on this transaction-scoped advisory lock
# (taken only when the row is missing), so a shop never gets two rows.
_CREATE_LOCK_KEY = 0x5041_5750_4253  # "PAWPBS"


def billing_settings_defaults() -> dict[str, Any]:
    """SPEC.md's defaults, as field values (fresh copies: JSON fields are mutable)."""
    return {
        "reminder_days_before": DEFAULT_REMINDER_DAYS_BEFORE,
        "retry_days": list(DEFAULT_RETRY_DAYS),
        "escalation_steps": copy.deepcopy(DEFAULT_ESCALATION_STEPS),
        "deferrals_per_contract": DEFAULT_DEFERRALS_PER_CONTRACT,
        "renewal_rewards": copy.deepcopy(DEFAULT_RENEWAL_REWARDS),
        "winback_first_month_discount": DEFAULT_WINBACK_FIRST_MONTH_DISCOUNT,
    }


def billing_settings_get() -> BillingSettings:
    """The current shop's BillingSettings row, created with the defaults on first use."""
    row = BillingSettings.objects.order_by("id").first()
    if row is not None:
        return row
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CREATE_LOCK_KEY])
        row = BillingSettings.objects.order_by("id").first()
        if row is None:
            row = BillingSettings.objects.create(**billing_settings_defaults())
    return row


# --- Changes by the shop ----------------------------------------------------------------------

EDITABLE_FIELDS = (
    "reminder_days_before", "retry_days", "grace_days", "escalation_steps", "default_after_days",
    "write_off_after_days", "deferrals_per_contract", "renewal_rewards", "winback_first_month_discount",
)  # fmt: skip
ESCALATION_ACTIONS = ("sms", "call", "visit")
MAX_RENEWAL_OPTIONS = 4


def billing_settings_update(**values: Any) -> BillingSettings:
    """Save the shop's rules after checking every one; ValidationFailed (nothing saved) names
    each field that breaks a rule. Fields not given keep their value."""
    with transaction.atomic():
        row = billing_settings_get()
        row = BillingSettings.objects.select_for_update().get(pk=row.pk)
        merged = {field: getattr(row, field) for field in EDITABLE_FIELDS}
        merged.update(values)
        errors = billing_settings_errors(merged)
        if set(values) - set(EDITABLE_FIELDS):
            errors["__all__"] = [_("Unknown setting.")]
        if errors:
            raise ValidationFailed(_("Some rules are invalid."), fields=errors)
        for field in EDITABLE_FIELDS:
            setattr(row, field, merged[field])
        row.updated_at = timezone.now()
        row.save()
    return row


def _int_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def billing_settings_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """Per-field messages for every rule that is out of bounds or inconsistent."""
    errors: dict[str, list[str]] = {}
    if not _int_in(values["reminder_days_before"], 1, 15):
        errors["reminder_days_before"] = [_("Remind 1 to 15 days before the debit.")]
    retry = values["retry_days"]
    if not (isinstance(retry, list) and len(retry) <= 5 and all(_int_in(day, 1, 30) for day in retry)
            and retry == sorted(set(retry))):  # fmt: skip
        errors["retry_days"] = [_("Up to 5 different days from 1 to 30 after the due date, in order.")]
    if not _int_in(values["grace_days"], 0, 15):
        errors["grace_days"] = [_("Enter 0 to 15 days.")]
    steps_errors = _escalation_errors(values["escalation_steps"])
    if steps_errors:
        errors["escalation_steps"] = steps_errors
    if not _int_in(values["default_after_days"], 15, 365):
        errors["default_after_days"] = [_("Enter 15 to 365 days.")]
    if not _int_in(values["write_off_after_days"], 30, 730):
        errors["write_off_after_days"] = [_("Enter 30 to 730 days.")]
    elif _int_in(values["default_after_days"], 15, 365) and values["write_off_after_days"] < values["default_after_days"]:
        errors["write_off_after_days"] = [_("Write off no earlier than the default.")]
    if not _int_in(values["deferrals_per_contract"], 0, 3):
        errors["deferrals_per_contract"] = [_("Allow 0 to 3 deferral coupons per contract.")]
    rewards_errors = _renewal_errors(values["renewal_rewards"])
    if rewards_errors:
        errors["renewal_rewards"] = rewards_errors
    discount = values["winback_first_month_discount"]
    if not (isinstance(discount, Decimal) and Decimal(0) <= discount < Decimal(1) and discount.as_tuple().exponent >= -3):
        errors["winback_first_month_discount"] = [_("Enter a discount from 0 to 99.9.")]
    return errors


def _escalation_errors(steps: object) -> list[str]:
    if not isinstance(steps, list) or not steps:
        return [_("Keep at least one escalation step.")]
    messages, seen = [], set()
    for number, step in enumerate(steps, start=1):
        if not (isinstance(step, dict) and _int_in(step.get("day"), 1, 90) and step.get("action") in ESCALATION_ACTIONS):
            messages.append(_("Step %(n)s: a day from 1 to 90 and an action (SMS, call or visit).") % {"n": number})
        elif (step["day"], step["action"]) in seen:
            messages.append(_("Step %(n)s repeats an earlier step.") % {"n": number})
        else:
            seen.add((step["day"], step["action"]))
    return messages


def _renewal_errors(rewards: object) -> list[str]:
    if not isinstance(rewards, dict):
        return [_("Renewal rewards are invalid.")]
    messages = []
    for periods, options in rewards.items():
        if not (str(periods).isdigit() and 12 <= int(periods) <= 24 and isinstance(options, list)):
            messages.append(_("Renewal rewards apply to renewals of 12 to 24 periods."))
            continue
        if len(options) > MAX_RENEWAL_OPTIONS:
            messages.append(_("At most %(n)s rewards per renewal length.") % {"n": MAX_RENEWAL_OPTIONS})
        keys = [option.get("key") for option in options if isinstance(option, dict)]
        if len(keys) != len(set(keys)) or len(keys) != len(options):
            messages.append(_("Each reward needs its own key."))
        for option in options:
            if isinstance(option, dict) and not _renewal_option_valid(option):
                messages.append(_("Reward “%(label)s”: a name, 0 to 6 free months, a discount below 50%% and a gift value of 0 or more.")
                                % {"label": option.get("label") or option.get("key")})  # fmt: skip
    return messages


def _renewal_option_valid(option: dict) -> bool:
    try:
        rate = Decimal(str(option.get("discount_rate", "0")))
    except ArithmeticError:
        return False
    return bool(
        str(option.get("label") or "").strip()
        and _int_in(option.get("free_months", 0), 0, 6)
        and Decimal(0) <= rate < Decimal("0.5")
        and _int_in(option.get("gift_value_minor", 0), 0, 10_000_000)
    )
