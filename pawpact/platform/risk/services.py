"""Shop risk: the daily figures, the automatic state machine and platform admins' overrides.

States (pawpact.tenants.enums.ShopRiskState), decided by the overdue rate at the end
of each day:

    healthy ──(> 2 %)──▶ watch ──(> 3 %)──▶ blocked_new_signings
       ▲  └────────────(> 3 %)──────────────────▲  │
       └───────────(≤ 2 %: recovered)──────────────┘ (from watch, too)

A blocked shop stays blocked between 2 % and 3 % (it must recover, not just dip below
the block line). A blocked shop cannot sign: the shop's signing service reads
Shop.risk_state. Every change of Shop.risk_state is logged in ShopRiskChange, the
automatic ones with the figures. An override pins the state until it is lifted;
meanwhile the daily run keeps computing (ShopDailyRisk.state is always the computed
state), so lifting returns to what the figures say.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.platform.kpis.definitions import bad_debt_rate, complaint_rate, debit_success_rate, ratio
from pawpact.platform.kpis.facts import risk_facts
from pawpact.platform.models import ShopDailyRisk, ShopRiskChange, ShopRiskOverride
from pawpact.platform.risk.errors import NoOverride, OverrideReasonMissing, ShopNotFound, UnknownRiskState
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop

WATCH_ABOVE = Decimal("0.02")
BLOCK_ABOVE = Decimal("0.03")
RECOVERED_AT_MOST = Decimal("0.02")

# The automatic transitions; an override may set any state.
RISK_TRANSITIONS: dict[str, frozenset[str]] = {
    ShopRiskState.HEALTHY: frozenset({ShopRiskState.WATCH, ShopRiskState.BLOCKED_NEW_SIGNINGS}),
    ShopRiskState.WATCH: frozenset({ShopRiskState.HEALTHY, ShopRiskState.BLOCKED_NEW_SIGNINGS}),
    ShopRiskState.BLOCKED_NEW_SIGNINGS: frozenset({ShopRiskState.HEALTHY}),
}


def risk_state_next(*, current: str, overdue_rate: Decimal) -> str:
    """The computed state after a day ending with `overdue_rate`, from the computed state before."""
    if overdue_rate > BLOCK_ABOVE:
        target = ShopRiskState.BLOCKED_NEW_SIGNINGS
    elif current == ShopRiskState.BLOCKED_NEW_SIGNINGS:
        target = ShopRiskState.HEALTHY if overdue_rate <= RECOVERED_AT_MOST else current
    elif overdue_rate > WATCH_ABOVE:
        target = ShopRiskState.WATCH
    else:
        target = ShopRiskState.HEALTHY
    assert target == current or target in RISK_TRANSITIONS[current], (current, target)
    return target


def _percent(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


def risk_daily_compute(*, shop: Shop, day: date, clock: Clock = default_clock) -> ShopDailyRisk:
    """Compute `day`'s risk figures of `shop` (upsert on shop and day) and move its risk state.

    The state moves only from the latest computed day, and not while an override holds.
    Idempotent: run twice, one row and at most one logged change.
    """
    if day >= clock.today():
        raise ValidationFailed(_("Risk is computed for days that have ended."), fields={"day": [day.isoformat()]})
    if shop.is_platform:
        raise ShopNotFound(_("The public site has no risk state."))
    facts = risk_facts(shop_id=shop.pk, day=day)
    overdue_rate = ratio(facts.overdue_contracts, facts.active_contracts) or Decimal(0)
    with transaction.atomic():
        locked = Shop.objects.select_for_update().get(pk=shop.pk)
        override = ShopRiskOverride.objects.filter(shop=locked).first()
        previous = ShopDailyRisk.objects.filter(shop=locked, day__lt=day).order_by("-day").first()
        if previous is not None:
            before = previous.state
        else:
            before = locked.risk_state if override is None else ShopRiskState.HEALTHY
        computed = risk_state_next(current=before, overdue_rate=overdue_rate)
        row, _created = ShopDailyRisk.objects.update_or_create(
            shop=locked,
            day=day,
            defaults={
                "active_contracts": facts.active_contracts,
                "overdue_contracts": facts.overdue_contracts,
                "debits_attempted": facts.debits_attempted,
                "debits_succeeded": facts.debits_succeeded,
                "receivable_minor": facts.receivable_minor,
                "bad_debt_minor": facts.bad_debt_minor,
                "complaints": facts.complaints,
                "overdue_rate": overdue_rate,
                "debit_success_rate": debit_success_rate(facts),
                "bad_debt_rate": bad_debt_rate(facts),
                "complaint_rate": complaint_rate(facts),
                "state": computed,
            },
        )
        is_latest = not ShopDailyRisk.objects.filter(shop=locked, day__gt=day).exists()
        if is_latest and override is None and locked.risk_state != computed:
            reason = (
                f"Automatic on {day.isoformat()}: overdue rate {_percent(overdue_rate)} "
                f"({facts.overdue_contracts} of {facts.active_contracts} active contracts overdue); "
                f"watch above {_percent(WATCH_ABOVE)}, blocked above {_percent(BLOCK_ABOVE)}, "
                f"recovered at or below {_percent(RECOVERED_AT_MOST)}."
            )
            _state_set(locked, computed, overdue_rate=overdue_rate, is_override=False, reason=reason, actor=None,
                       clock=clock)  # fmt: skip
    return row


def _state_set(
    shop: Shop, state: str, *, overdue_rate: Decimal | None, is_override: bool, reason: str, actor: User | None,
    clock: Clock,
) -> ShopRiskChange:  # fmt: skip
    change = ShopRiskChange.objects.create(
        shop=shop,
        from_state=shop.risk_state,
        to_state=state,
        overdue_rate=overdue_rate,
        is_override=is_override,
        reason=reason,
        actor=actor,
        at=clock.now(),
    )
    # Shop.risk_state is kept by the platform's risk controls (pawpact.tenants.models.Shop).
    Shop.objects.filter(pk=shop.pk).update(risk_state=state)
    shop.risk_state = state
    return change


def _reason_clean(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OverrideReasonMissing(
            _("Give a reason: every change of a shop's risk state is logged with one."),
            fields={"reason": [_("This field is required.")]},
        )
    return reason


def _shop_lock(shop_id: int) -> Shop:
    shop = Shop.objects.select_for_update().filter(pk=shop_id).first()
    if shop is None or shop.is_platform:
        raise ShopNotFound(_("No such shop."))
    return shop


def computed_state(shop: Shop) -> tuple[str, Decimal | None]:
    """What the figures say now: the latest computed day's state and overdue rate."""
    latest = ShopDailyRisk.objects.filter(shop=shop).order_by("-day").first()
    if latest is None:
        return ShopRiskState.HEALTHY, None
    return latest.state, latest.overdue_rate


def risk_override_set(
    *, shop_id: int, state: str, reason: str, actor: User, clock: Clock = default_clock
) -> ShopRiskChange:
    """Pin a shop's risk state, with a reason, until lifted. Logged even when the state stays."""
    reason = _reason_clean(reason)
    if state not in ShopRiskState.values:
        raise UnknownRiskState(
            _("Unknown risk state."),
            fields={"state": [_("Choose one of: %(states)s.") % {"states": ", ".join(ShopRiskState.values)}]},
        )
    with transaction.atomic():
        shop = _shop_lock(shop_id)
        ShopRiskOverride.objects.update_or_create(
            shop=shop, defaults={"state": state, "reason": reason, "actor": actor, "at": clock.now()}
        )
        _state, rate = computed_state(shop)
        return _state_set(shop, state, overdue_rate=rate, is_override=True, reason=reason, actor=actor, clock=clock)


def risk_override_lift(*, shop_id: int, reason: str, actor: User, clock: Clock = default_clock) -> ShopRiskChange:
    """End an override: the shop returns to its computed state. Logged with the reason."""
    reason = _reason_clean(reason)
    with transaction.atomic():
        shop = _shop_lock(shop_id)
        deleted, _rows = ShopRiskOverride.objects.filter(shop=shop).delete()
        if not deleted:
            raise NoOverride(_("This shop's risk state is not overridden."))
        state, rate = computed_state(shop)
        return _state_set(
            shop, state, overdue_rate=rate, is_override=True, reason=f"Override lifted: {reason}", actor=actor,
            clock=clock,
        )  # fmt: skip
