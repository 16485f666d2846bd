"""Rail policies as data: amount caps and allowed hours the debit scheduler obeys.

Alipay agreement debits and WeChat entrusted debits have no adapter yet, but their
rules are known, so calendars and the scheduler can already honour them.
"""
from datetime import UTC, date, datetime, time

from django.utils.translation import gettext as _

from pawpact.payments.base import RailPolicy
from pawpact.payments.errors import UnknownRail

RAIL_POLICIES: dict[str, RailPolicy] = {
    "sandbox": RailPolicy(),
    # Stripe's own ceiling for one card charge is 99,999,999 minor units.
    "stripe": RailPolicy(max_amount_minor=99_999_999),
    # ¥5,000 per debit: the usual default limit of an agreement debit.
    "alipay": RailPolicy(max_amount_minor=500_000),
    # Entrusted debits run only 07:00–22:00 Beijing time, after a notice the day before.
    "wechat": RailPolicy(
        max_amount_minor=500_000, allowed_from=time(7, 0), allowed_until=time(22, 0), pre_debit_notice_days=1
    ),
}


def policy_for(rail: str) -> RailPolicy:
    try:
        return RAIL_POLICIES[rail]
    except KeyError:
        raise UnknownRail(
            _("Unknown payment rail %(rail)r.") % {"rail": rail},
            fields={"rail": _("Choose one of: %(rails)s.") % {"rails": ", ".join(sorted(RAIL_POLICIES))}},
        ) from None


def amount_allowed(*, amount_minor: int, policy: RailPolicy) -> bool:
    return amount_minor > 0 and (policy.max_amount_minor is None or amount_minor <= policy.max_amount_minor)


def _within(local: time, policy: RailPolicy) -> bool:
    # Whole seconds, so an "until 23:59:59" window covers the last second of the day.
    local = local.replace(microsecond=0)
    if policy.allowed_from <= policy.allowed_until:
        return policy.allowed_from <= local <= policy.allowed_until
    # A window across midnight (e.g. 22:00–06:00).
    return local >= policy.allowed_from or local <= policy.allowed_until


def is_within_allowed_hours(*, at: datetime, policy: RailPolicy) -> bool:
    if at.tzinfo is None:
        raise ValueError("is_within_allowed_hours needs an aware datetime")
    return _within(at.astimezone(policy.timezone).time(), policy)


def debit_not_before(*, due_date: date, policy: RailPolicy) -> datetime:
    """The first instant of `due_date` (in the rail's time zone) the policy allows, in UTC."""
    start = time(0, 0) if _within(time(0, 0), policy) else policy.allowed_from
    return datetime.combine(due_date, start, tzinfo=policy.timezone).astimezone(UTC)
