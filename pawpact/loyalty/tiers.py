"""The shop's tier rules: two presets, validation, and saving a new version.

A rule set is a ladder of tiers (rank 0 = entry level). Under the *paid months* basis a
tier's threshold is the count of monthly debits ever paid; under *spend/visits* a member
qualifies with spend (debits and shop orders) or visits (shop orders and recorded
visits) within the tier's rolling window. Each threshold that a tier sets must be
strictly higher than the same threshold of every tier below it: equal ("overlapping")
or lower ("decreasing") thresholds would make the ladder ambiguous, so they are refused
with the field that is wrong, and nothing is written.

Saving replaces the active rule set by a new version (members keep their rank, mapped
onto the new ladder) and queues a background re-evaluation whose progress the
workspace shows (pawpact.loyalty.evaluation).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty.models import QuotaPeriod, Reevaluation, Tier, TierBasis, TierRuleSet, tier_name_stored
from pawpact.loyalty.tasks import reevaluation_run_task

MAX_TIERS = 8
MAX_MULTIPLIER = Decimal(10)
THRESHOLDS = ("min_paid_months", "min_spend_minor", "min_visits")
BENEFIT_DEFAULTS = {
    "goods_discount_percent": 0, "free_service_quota": 0, "quota_period": QuotaPeriod.MONTH,
    "points_multiplier": Decimal(1), "birthday_multiplier": Decimal(1),
}  # fmt: skip


def _tier(name: str, **values) -> dict:
    return {"name": name, "min_paid_months": None, "min_spend_minor": None, "min_visits": None,
            "window_months": None, **BENEFIT_DEFAULTS, **values}  # fmt: skip


# Normal → Gold 3 → Platinum 6 → Diamond 12 paid months.
PRESET_PAID_MONTHS = [
    _tier("Normal", min_paid_months=0, birthday_multiplier=Decimal(2)),
    _tier("Gold", min_paid_months=3, goods_discount_percent=3, free_service_quota=1,
          quota_period=QuotaPeriod.QUARTER, points_multiplier=Decimal("1.2"), birthday_multiplier=Decimal(2)),
    _tier("Platinum", min_paid_months=6, goods_discount_percent=5, free_service_quota=1,
          points_multiplier=Decimal("1.5"), birthday_multiplier=Decimal(2)),
    _tier("Diamond", min_paid_months=12, goods_discount_percent=8, free_service_quota=2,
          points_multiplier=Decimal(2), birthday_multiplier=Decimal(3)),
]  # fmt: skip
# Bronze ≥ ¥100 spent → Silver ≥ ¥1,000 in 6 months or 6 visits → Gold ≥ ¥5,000 in 12 months
# or 15 visits → Diamond ≥ ¥20,000 in 24 months or 30 visits.
PRESET_SPEND_VISITS = [
    _tier("Bronze", min_spend_minor=10_000, birthday_multiplier=Decimal(2)),
    _tier("Silver", min_spend_minor=100_000, min_visits=6, window_months=6, goods_discount_percent=2,
          points_multiplier=Decimal("1.2"), birthday_multiplier=Decimal(2)),
    _tier("Gold", min_spend_minor=500_000, min_visits=15, window_months=12, goods_discount_percent=5,
          free_service_quota=1, points_multiplier=Decimal("1.5"), birthday_multiplier=Decimal(2)),
    _tier("Diamond", min_spend_minor=2_000_000, min_visits=30, window_months=24, goods_discount_percent=8,
          free_service_quota=2, points_multiplier=Decimal(2), birthday_multiplier=Decimal(3)),
]  # fmt: skip
PRESETS = {TierBasis.PAID_MONTHS: PRESET_PAID_MONTHS, TierBasis.SPEND_VISITS: PRESET_SPEND_VISITS}


def tier_preset(basis: str) -> list[dict]:
    """A copy of a preset ladder, to edit or save as it is."""
    return [dict(tier) for tier in PRESETS[basis]]


def _whole(value, *, field: str, errors: dict, low: int = 0, high: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("Enter a whole number.")]
        return None
    if value < low or (high is not None and value > high):
        errors[field] = [_("Enter a number from %(low)d to %(high)s.") % {"low": low, "high": high or "∞"}]
        return None
    return value


def _multiplier(value, *, field: str, errors: dict) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number.as_tuple().exponent < -2:
        errors[field] = [_("Enter a number with at most 2 decimals.")]
        return Decimal(1)
    if not Decimal(0) < number <= MAX_MULTIPLIER:
        errors[field] = [_("Enter a multiplier above 0 and at most %(max)s.") % {"max": MAX_MULTIPLIER}]
    return number


def _tier_clean(raw: dict, *, index: int, basis: str, errors: dict) -> dict:
    prefix = f"tiers.{index}."
    tier = {"name": tier_name_stored(str(raw.get("name") or "").strip())}
    if not tier["name"] or len(tier["name"]) > 40:
        errors[prefix + "name"] = [_("Enter a name of at most 40 characters.")]
    for field in (*THRESHOLDS, "window_months"):
        high = 120 if field == "window_months" else None
        tier[field] = _whole(raw.get(field), field=prefix + field, errors=errors, low=0, high=high)
    tier["goods_discount_percent"] = _whole(
        raw.get("goods_discount_percent", 0), field=prefix + "goods_discount_percent", errors=errors, high=100
    ) or 0
    tier["free_service_quota"] = _whole(
        raw.get("free_service_quota", 0), field=prefix + "free_service_quota", errors=errors, high=1000
    ) or 0
    tier["quota_period"] = raw.get("quota_period") or QuotaPeriod.MONTH
    if tier["quota_period"] not in QuotaPeriod.values:
        errors[prefix + "quota_period"] = [_("Choose month, quarter or year.")]
    for field in ("points_multiplier", "birthday_multiplier"):
        tier[field] = _multiplier(raw.get(field, 1), field=prefix + field, errors=errors)
    if basis == TierBasis.PAID_MONTHS:
        if tier["min_paid_months"] is None and prefix + "min_paid_months" not in errors:
            errors[prefix + "min_paid_months"] = [_("Enter the paid months this tier needs.")]
        tier.update(min_spend_minor=None, min_visits=None, window_months=None)
    else:
        tier["min_paid_months"] = None
        if tier["min_spend_minor"] is None and tier["min_visits"] is None:
            errors[prefix + "min_spend_minor"] = [_("Enter the spend or the visits this tier needs.")]
    return tier


def _ladder_check(tiers: list[dict], *, errors: dict) -> None:
    """Each threshold a tier sets is strictly above the same threshold of every tier below."""
    names = [tier["name"] for tier in tiers]
    for index, tier in enumerate(tiers):
        if names.index(tier["name"]) != index:
            errors.setdefault(f"tiers.{index}.name", [_("Each tier needs its own name.")])
        for field in (*THRESHOLDS, "window_months"):
            below = [t[field] for t in tiers[:index] if t[field] is not None]
            if tier[field] is None or not below:
                continue
            if field == "window_months":
                if tier[field] < max(below):
                    errors.setdefault(f"tiers.{index}.{field}", [_("A higher tier cannot have a shorter window.")])
            elif tier[field] <= max(below):
                errors.setdefault(
                    f"tiers.{index}.{field}",
                    [_("Must be higher than the tiers below (overlapping or decreasing thresholds).")],
                )


def tier_rules_clean(*, basis: str, tiers) -> list[dict]:
    """The ladder checked and normalised; ValidationFailed with every wrong field otherwise."""
    if basis not in TierBasis.values:
        raise ValidationFailed(_("Choose how members earn tiers."), fields={"basis": [_("Unknown basis.")]})
    if not isinstance(tiers, list) or not 1 <= len(tiers) <= MAX_TIERS:
        raise ValidationFailed(
            _("Enter from 1 to %(max)d tiers.") % {"max": MAX_TIERS}, fields={"tiers": [_("Wrong number of tiers.")]}
        )
    errors: dict[str, list[str]] = {}
    cleaned = [
        _tier_clean(raw if isinstance(raw, dict) else {}, index=index, basis=basis, errors=errors)
        for index, raw in enumerate(tiers)
    ]
    if not errors:
        _ladder_check(cleaned, errors=errors)
    if errors:
        raise ValidationFailed(_("The tier rules are not valid."), fields=errors)
    return cleaned


def reevaluation_start(*, rule_set: TierRuleSet) -> Reevaluation:
    """Queue the re-evaluation of every member (after the caller's transaction commits)."""
    reevaluation = Reevaluation.objects.create(rule_set=rule_set, total=Customer.objects.count())
    transaction.on_commit(lambda: reevaluation_run_task.delay(reevaluation.pk))
    return reevaluation


def tier_rules_save(*, basis: str, tiers) -> tuple[TierRuleSet, Reevaluation]:
    """Replace the active rule set by a new version and queue the re-evaluation of every member."""
    cleaned = tier_rules_clean(basis=basis, tiers=tiers)
    with transaction.atomic():
        previous = TierRuleSet.objects.select_for_update().filter(active=True).first()
        if previous is not None:
            TierRuleSet.objects.filter(pk=previous.pk).update(active=False)
        rule_set = TierRuleSet.objects.create(
            basis=basis, version=(previous.version + 1) if previous else 1, active=True
        )
        Tier.objects.bulk_create(Tier(rule_set=rule_set, rank=rank, **tier) for rank, tier in enumerate(cleaned))
        reevaluation = reevaluation_start(rule_set=rule_set)
    return rule_set, reevaluation


def tier_preset_apply(*, basis: str) -> tuple[TierRuleSet, Reevaluation]:
    """Make one of the two presets the shop's rules."""
    return tier_rules_save(basis=basis, tiers=tier_preset(basis))
