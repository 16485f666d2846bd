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

from pawpact.billing.models import BillingSettings

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
