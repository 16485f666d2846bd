"""Funding terms per shop: advance rate, flat fee, recourse rule, settlement delay.

A shop without terms is funded on DEFAULT_TERMS (rate 0.90, no fee, full recourse,
T+7 calendar days).

Validation (platform rules, `funding_terms_set` refuses anything else, nothing written):
  - advance_rate: a Decimal in (0, 1], at most 4 decimal places;
  - fee_minor: an integer ≥ 0, and smaller than the advance on the smallest contract
    the platform expects to buy (SMALLEST_PLAUSIBLE_CONTRACT_MINOR × rate): a fee that
    would eat a whole plausible advance is a typo, not a price;
  - recourse_rule: a RecourseRule;
  - settlement_delay_days: an integer in 0..MAX_SETTLEMENT_DELAY_DAYS (calendar days).
Each advance is checked again when it is created (pawpact.platform.funding.advances):
a contract smaller than the plausible minimum can still meet a fee ≥ value × rate,
and that advance is refused.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.money import Money, apply_rate
from pawpact.platform.enums import RecourseRule
from pawpact.platform.funding.errors import FundingTermsInvalid
from pawpact.platform.models import FundingTerms
from pawpact.tenants.models import Shop

logger = logging.getLogger(__name__)

# ¥1,000: below any 12-period plan the shops sell (the seed Basic plan is 399 × 12).
SMALLEST_PLAUSIBLE_CONTRACT_MINOR = getattr(settings, "PAWPACT_FUNDING_SMALLEST_CONTRACT_MINOR", 100_000)
MAX_SETTLEMENT_DELAY_DAYS = 90
RATE_PLACES = 4


@dataclass(frozen=True)
class Terms:
    advance_rate: Decimal
    fee_minor: int
    recourse_rule: str
    settlement_delay_days: int
    is_default: bool = False


DEFAULT_TERMS = Terms(
    advance_rate=Decimal("0.9000"),
    fee_minor=0,
    recourse_rule=RecourseRule.FULL,
    settlement_delay_days=7,
    is_default=True,
)


def _terms_of(row: FundingTerms) -> Terms:
    return Terms(
        advance_rate=row.advance_rate,
        fee_minor=row.fee_minor,
        recourse_rule=row.recourse_rule,
        settlement_delay_days=row.settlement_delay_days,
    )


def funding_terms_get(*, shop_id: int) -> Terms:
    """The shop's terms, or DEFAULT_TERMS when it has none."""
    row = FundingTerms.objects.filter(shop_id=shop_id).first()
    return DEFAULT_TERMS if row is None else _terms_of(row)


def funding_terms_for_shops(shop_ids) -> dict[int, Terms]:
    """Terms of many shops in one query (defaults filled in)."""
    ids = set(shop_ids)
    found = {row.shop_id: _terms_of(row) for row in FundingTerms.objects.filter(shop_id__in=ids)}
    return {shop_id: found.get(shop_id, DEFAULT_TERMS) for shop_id in ids}


def smallest_plausible_advance(rate: Decimal) -> Money:
    return apply_rate(Money(SMALLEST_PLAUSIBLE_CONTRACT_MINOR), rate)


def funding_terms_validate(
    *, advance_rate: object, fee_minor: object, recourse_rule: object, settlement_delay_days: object
) -> Terms:
    """The terms as typed values, or FundingTermsInvalid naming every bad field."""
    errors: dict[str, str] = {}
    rate: Decimal | None = None
    try:
        rate = advance_rate if isinstance(advance_rate, Decimal) else Decimal(str(advance_rate))
        if isinstance(advance_rate, float | bool) or not rate.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["advance_rate"] = _("Give the advance rate as a decimal number, e.g. 0.9.")
        rate = None
    if rate is not None:
        if not (Decimal(0) < rate <= Decimal(1)):
            errors["advance_rate"] = _("The advance rate must be more than 0 and at most 1.")
            rate = None
        elif rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            errors["advance_rate"] = _("The advance rate has at most 4 decimal places.")
            rate = None
    if not isinstance(fee_minor, int) or isinstance(fee_minor, bool) or fee_minor < 0:
        errors["fee_minor"] = _("The fee is a whole number of fen, 0 or more.")
    elif rate is not None:
        ceiling = smallest_plausible_advance(rate)
        if fee_minor >= ceiling.amount_minor:
            errors["fee_minor"] = _(
                "The fee must be smaller than the advance on a %(value)s contract at this rate (%(advance)s)."
            ) % {"value": Money(SMALLEST_PLAUSIBLE_CONTRACT_MINOR).format(), "advance": ceiling.format()}
    if recourse_rule not in RecourseRule.values:
        errors["recourse_rule"] = _("Choose one of: %(rules)s.") % {"rules": ", ".join(RecourseRule.values)}
    if (
        not isinstance(settlement_delay_days, int)
        or isinstance(settlement_delay_days, bool)
        or not 0 <= settlement_delay_days <= MAX_SETTLEMENT_DELAY_DAYS
    ):
        errors["settlement_delay_days"] = _("The settlement delay is 0 to %(max)d calendar days.") % {
            "max": MAX_SETTLEMENT_DELAY_DAYS
        }
    if errors:
        raise FundingTermsInvalid(_("These funding terms are not valid."), fields=errors)
    return Terms(
        advance_rate=rate.quantize(Decimal(1).scaleb(-RATE_PLACES)),
        fee_minor=fee_minor,
        recourse_rule=str(recourse_rule),
        settlement_delay_days=settlement_delay_days,
    )


def funding_terms_set(
    *,
    shop: Shop,
    advance_rate: Decimal,
    fee_minor: int,
    recourse_rule: str,
    settlement_delay_days: int = DEFAULT_TERMS.settlement_delay_days,
    actor=None,
    clock: Clock = default_clock,
) -> FundingTerms:
    """Set a shop's funding terms (for advances created from now on; existing ones keep theirs)."""
    if shop.is_platform:
        raise FundingTermsInvalid(_("The platform itself has no funding terms."))
    terms = funding_terms_validate(
        advance_rate=advance_rate,
        fee_minor=fee_minor,
        recourse_rule=recourse_rule,
        settlement_delay_days=settlement_delay_days,
    )
    with transaction.atomic():
        row, _created = FundingTerms.objects.select_for_update().update_or_create(
            shop=shop,
            defaults={
                "advance_rate": terms.advance_rate,
                "fee_minor": terms.fee_minor,
                "recourse_rule": terms.recourse_rule,
                "settlement_delay_days": terms.settlement_delay_days,
                "updated_at": clock.now(),
            },
        )
    logger.info(
        "funding terms of shop %s set by %s: rate %s, fee %s, recourse %s, T+%s",
        shop.pk, getattr(actor, "email", "system"), terms.advance_rate, terms.fee_minor,
        terms.recourse_rule, terms.settlement_delay_days,
    )  # fmt: skip
    return row
