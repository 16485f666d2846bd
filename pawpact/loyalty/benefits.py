"""The shop's member day (a day each month with an extra goods discount and/or a points
multiplier) and the multi-pet household benefit: reading and saving the shop's choice.

The member day falls on the same day every month; in a month that has no such day
(the 31st in April) it is the month's last day, so no month goes without one.
"""
from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.loyalty.models import MemberBenefits

SHOP_ROW = 1  # one row per shop schema
MAX_MEMBER_DAY_DISCOUNT = 90
MAX_MEMBER_DAY_MULTIPLIER = Decimal(10)


def member_benefits_get() -> MemberBenefits:
    """The shop's settings (defaults, unsaved, when the shop never set them)."""
    return MemberBenefits.objects.filter(pk=SHOP_ROW).first() or MemberBenefits(pk=SHOP_ROW)


def member_day_of(month_day: int, day: date) -> bool:
    """Whether `day` is the member day `month_day` of its month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day == min(month_day, last)


def _member_day_clean(value, errors: dict) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        errors["member_day"] = [_("Choose a day from 1 to 31, or none.")]
        return None
    return value


def _multiplier_clean(value, errors: dict) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number.as_tuple().exponent < -2:
        errors["member_day_points_multiplier"] = [_("Enter a number with at most 2 decimals.")]
        return Decimal(1)
    if not Decimal(1) <= number <= MAX_MEMBER_DAY_MULTIPLIER:
        errors["member_day_points_multiplier"] = [
            _("Enter a multiplier from 1 to %(max)s.") % {"max": MAX_MEMBER_DAY_MULTIPLIER}
        ]
    return number


def member_benefits_save(
    *, member_day, discount_percent, points_multiplier, multi_pet_half_price: bool, clock: Clock = default_clock
) -> MemberBenefits:
    """Save the member day and the household benefit; ValidationFailed with every wrong field, nothing written."""
    errors: dict[str, list[str]] = {}
    day = _member_day_clean(member_day, errors)
    if isinstance(discount_percent, bool) or not isinstance(discount_percent, int) or not (
        0 <= discount_percent <= MAX_MEMBER_DAY_DISCOUNT
    ):
        errors["member_day_discount_percent"] = [
            _("Enter a whole percentage from 0 to %(max)d.") % {"max": MAX_MEMBER_DAY_DISCOUNT}
        ]
    multiplier = _multiplier_clean(points_multiplier, errors)
    if errors:
        raise ValidationFailed(_("The member benefits are not valid."), fields=errors)
    with transaction.atomic():
        benefits = MemberBenefits.objects.select_for_update().filter(pk=SHOP_ROW).first() or MemberBenefits(pk=SHOP_ROW)
        benefits.member_day, benefits.member_day_discount_percent = day, discount_percent
        benefits.member_day_points_multiplier = multiplier
        benefits.multi_pet_half_price = bool(multi_pet_half_price)
        benefits.updated_at = clock.now()
        benefits.save()
    return benefits
