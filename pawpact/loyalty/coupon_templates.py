"""The shop's coupon templates: created and edited by the owner or a manager, checked here."""
from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.errors import ValidationFailed
from pawpact.loyalty.coupon_models import CouponKind, CouponTemplate

MAX_AMOUNT_MINOR = 100_000_00  # ¥100,000: beyond it a typo, not a coupon
MAX_VALID_DAYS = 3660
FIELDS = ("name", "kind", "amount_off_minor", "percent_off", "service_kind", "min_spend_minor", "valid_from",
          "valid_until", "valid_days", "per_customer_limit", "total_limit", "enabled")  # fmt: skip


def _whole(value, *, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _kind_errors(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in CouponKind.values:
        return {"kind": [_("Choose a kind of coupon.")]}
    if kind == CouponKind.AMOUNT_OFF and not _whole(data.get("amount_off_minor"), low=1, high=MAX_AMOUNT_MINOR):
        errors["amount_off_minor"] = [_("Enter an amount above zero in yuan, with at most 2 decimals.")]
    if kind == CouponKind.PERCENT_OFF and not _whole(data.get("percent_off"), low=1, high=100):
        errors["percent_off"] = [_("Enter a percentage from 1 to 100.")]
    if kind in (CouponKind.AMOUNT_OFF, CouponKind.PERCENT_OFF):
        if not _whole(data.get("min_spend_minor", 0), low=0, high=MAX_AMOUNT_MINOR):
            errors["min_spend_minor"] = [_("Enter an amount in yuan, with at most 2 decimals.")]
    if not isinstance(data.get("service_kind", ""), str) or len(data.get("service_kind", "")) > 20:
        errors["service_kind"] = [_("Choose a service.")]
    return errors


def _validity_errors(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    start, end, days = data.get("valid_from"), data.get("valid_until"), data.get("valid_days")
    if days is not None:
        if not _whole(days, low=1, high=MAX_VALID_DAYS):
            errors["valid_days"] = [_("Enter a number of days from 1 to %(max)d.") % {"max": MAX_VALID_DAYS}]
        elif start is not None or end is not None:
            errors["valid_days"] = [_("Give either fixed dates or a number of days after issue, not both.")]
        return errors
    if not isinstance(end, date):
        errors["valid_until"] = [_("Enter the last day, or a number of days after issue.")]
    elif start is not None and (not isinstance(start, date) or end < start):
        errors["valid_until"] = [_("The last day cannot be before the first day.")]
    return errors


def _limit_errors(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not _whole(data.get("per_customer_limit", 1), low=1, high=1000):
        errors["per_customer_limit"] = [_("Enter a whole number from 1 to 1,000.")]
    total = data.get("total_limit")
    if total is not None and not _whole(total, low=1, high=10_000_000):
        errors["total_limit"] = [_("Enter a whole number above zero, or leave it empty for no limit.")]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 60:
        errors["name"] = [_("Enter a name of at most 60 characters.")]
    return errors


def coupon_template_save(*, template: CouponTemplate | None = None, **data) -> CouponTemplate:
    """Create a template, or edit one (issued coupons keep their dates). Refuses, writing
    nothing: % off outside 1–100, an amount that is not whole fen above zero, a last day
    before the first, fixed dates and days together."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    current = {name: getattr(template, name) for name in FIELDS} if template else {}
    merged = {"min_spend_minor": 0, "per_customer_limit": 1, "enabled": True, **current, **data}
    errors = {**_kind_errors(merged), **_validity_errors(merged), **_limit_errors(merged)}
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    merged["name"] = merged["name"].strip()
    if merged["kind"] not in (CouponKind.AMOUNT_OFF,):
        merged["amount_off_minor"] = 0
    if merged["kind"] != CouponKind.PERCENT_OFF:
        merged["percent_off"] = 0
    if merged["kind"] != CouponKind.FREE_SERVICE:
        merged["service_kind"] = ""
    if merged["kind"] not in (CouponKind.AMOUNT_OFF, CouponKind.PERCENT_OFF):
        merged["min_spend_minor"] = 0
    with transaction.atomic():
        if template is None:
            return CouponTemplate.objects.create(**{name: merged.get(name) for name in FIELDS})
        for name in FIELDS:
            setattr(template, name, merged.get(name))
        template.save(update_fields=list(FIELDS))
    return template
