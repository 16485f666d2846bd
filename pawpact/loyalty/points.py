"""The points ledger: every movement an entry with the event it comes from.

Earning is driven by the shop's events (settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS):
debit.paid (100 points a paid month), order.paid (1 point per ¥1), referral.converted
(1,000 points to the referrer); each times the member's tier multiplier (or the paid
membership's, when it is higher: the better of the two, never both), the tier's
birthday multiplier in the customer's birthday month, and the shop's member-day
multiplier on its member day (pawpact.loyalty.benefits). `points_events_apply` takes any
number of events in one statement set: the entry's `source_key` is unique in the
database, so an event delivered twice (or replayed, in any order) awards once, and the
same key records the tier activity (spend, paid months, on-time streak), after which
the members are evaluated at once (upgrades immediately).

Points earned while the customer's standing is held (overdue, default; the hold that
dunning sets, pawpact.billing.holds) are `frozen`: counted apart and not spendable;
`points_release_run` (hourly, like dunning's reruns) releases them once the customer is
current again. Earned points expire at the end of the following year: the expiry run
writes an `expire` entry for what is left of each lot. Redemption spends the lots that
expire first; the balance never goes below zero (checked here and by the database).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from pawpact.billing.holds import HELD_STANDINGS
from pawpact.billing.models import Contract
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import NotFound, ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty.benefits import member_benefits_get
from pawpact.loyalty.errors import InsufficientPoints
from pawpact.loyalty.evaluation import members_evaluate_ids, memberships_ensure
from pawpact.loyalty.models import Membership, PointsEntry, PointsKind
from pawpact.loyalty.paid_models import LIVE as PAID_LIVE

DEBIT_POINTS = 100
REFERRAL_POINTS = 1_000
MINOR_PER_POINT = 100  # ¥1 spent = 1 point


@dataclass(frozen=True)
class EarnEvent:
    source_key: str
    source_event: str
    customer_id: int
    base_points: int
    occurred_at: datetime
    activity: str = ""  # ActivityKind, or "" when the event is no tier activity
    amount_minor: int = 0
    on_time: bool = True


_APPLY_SQL = """
WITH ev AS (
    SELECT DISTINCT ON (source_key) * FROM unnest(
        %(keys)s::text[], %(events)s::text[], %(customers)s::bigint[], %(bases)s::bigint[],
        %(at)s::timestamptz[], %(activities)s::text[], %(amounts)s::bigint[], %(on_time)s::boolean[]
    ) AS e(source_key, source_event, customer_id, base, occurred_at, activity, amount_minor, on_time)
    ORDER BY source_key
), act AS (
    INSERT INTO loyalty_activity (customer_id, kind, source_key, amount_minor, on_time, occurred_at)
    SELECT customer_id, activity, source_key, amount_minor, on_time, occurred_at FROM ev WHERE activity <> ''
    ON CONFLICT (source_key) DO NOTHING
), priced AS (
    SELECT ev.*, c.standing = ANY(%(held)s) AS frozen,
           floor(ev.base * GREATEST(coalesce(t.points_multiplier, 1), coalesce(pm.points_multiplier, 1)) * CASE
               WHEN extract(month FROM c.birth_date) = extract(month FROM ev.occurred_at AT TIME ZONE %(tz)s)
               THEN coalesce(t.birthday_multiplier, 1) ELSE 1 END * CASE
               WHEN %(member_day)s::int IS NOT NULL AND extract(day FROM ev.occurred_at AT TIME ZONE %(tz)s) = LEAST(
                   %(member_day)s::int, extract(day FROM date_trunc('month', ev.occurred_at AT TIME ZONE %(tz)s)
                                                     + interval '1 month - 1 day'))
               THEN %(member_day_multiplier)s::numeric ELSE 1 END)::bigint AS points
    FROM ev JOIN customers_customer c ON c.id = ev.customer_id
    LEFT JOIN loyalty_membership ms ON ms.customer_id = ev.customer_id
    LEFT JOIN loyalty_tier t ON t.id = ms.tier_id
    LEFT JOIN LATERAL (SELECT p.points_multiplier FROM loyalty_paidmembership m
                       JOIN loyalty_paidplan p ON p.id = m.plan_id
                       WHERE m.customer_id = ev.customer_id AND m.status = ANY(%(paid_live)s)
                       LIMIT 1) pm ON true
), ins AS (
    INSERT INTO loyalty_pointsentry (customer_id, kind, points, source_key, source_event, memo, remaining, frozen,
                                     expires_on, occurred_at, created_at)
    SELECT customer_id, 'earn', points, source_key, source_event, '', points, frozen,
           make_date(extract(year FROM occurred_at AT TIME ZONE %(tz)s)::int + 1, 12, 31), occurred_at, %(now)s
    FROM priced WHERE points > 0
    ON CONFLICT (source_key) DO NOTHING
    RETURNING customer_id, points, frozen
), sums AS (
    SELECT customer_id, sum(points) FILTER (WHERE NOT frozen) AS free, sum(points) FILTER (WHERE frozen) AS held
    FROM ins GROUP BY customer_id
)
UPDATE loyalty_membership ms SET points_balance = ms.points_balance + coalesce(s.free, 0),
    points_frozen = ms.points_frozen + coalesce(s.held, 0)
FROM sums s WHERE ms.customer_id = s.customer_id
RETURNING coalesce(s.free, 0) + coalesce(s.held, 0)
"""


def points_events_apply(*, events: list[EarnEvent], clock: Clock = default_clock) -> int:
    """Record the events' activity and points (each source event once); the points awarded now."""
    if not events:
        return 0
    ids = sorted({event.customer_id for event in events})
    params = {
        "keys": [e.source_key for e in events], "events": [e.source_event for e in events],
        "customers": [e.customer_id for e in events], "bases": [e.base_points for e in events],
        "at": [e.occurred_at for e in events], "activities": [e.activity for e in events],
        "amounts": [e.amount_minor for e in events], "on_time": [e.on_time for e in events],
        "held": list(HELD_STANDINGS), "tz": settings.TIME_ZONE, "now": clock.now(),
    }  # fmt: skip
    benefits = member_benefits_get()
    params["member_day"] = benefits.member_day
    params["member_day_multiplier"] = benefits.member_day_points_multiplier
    params["paid_live"] = [str(status) for status in PAID_LIVE]
    with transaction.atomic():
        memberships_ensure(lo=ids[0], hi=ids[-1], ids=ids)
        with connection.cursor() as cursor:
            cursor.execute(_APPLY_SQL, params)
            awarded = sum(row[0] for row in cursor.fetchall())
        if any(event.activity for event in events):
            members_evaluate_ids(ids=[e.customer_id for e in events if e.activity], clock=clock)
    return awarded


# --- Event subscribers (settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS) --------------------------------------


def points_on_debit_paid(*, payloads: list[dict], clock: Clock = default_clock) -> None:
    """Paid months: 100 points and a tier activity each; on time when the first attempt paid it."""
    contracts = Contract.objects.filter(uuid__in=[p["contract_uuid"] for p in payloads])
    customers = {str(uuid): customer_id for uuid, customer_id in contracts.values_list("uuid", "customer_id")}
    events = [EarnEvent(
        source_key=f"debit.paid:{p['contract_uuid']}:{p['period_number']}", source_event="debit.paid",
        customer_id=customers[p["contract_uuid"]], base_points=DEBIT_POINTS,
        occurred_at=datetime.fromisoformat(p["at"]), activity="debit", amount_minor=int(p["amount_minor"]),
        on_time=int(p["attempt_number"]) == 1,
    ) for p in payloads if p["contract_uuid"] in customers]  # another shop's contract earns nothing here
    points_events_apply(events=events, clock=clock)


def points_on_order_paid(*, payload: dict, clock: Clock = default_clock) -> None:
    """A paid shop order: a point per yuan and a tier activity (spend and a visit)."""
    customer_id = Customer.objects.values_list("id", flat=True).filter(uuid=payload["customer_uuid"]).first()
    if customer_id is None:
        return
    amount = int(payload["amount_minor"])
    points_events_apply(events=[EarnEvent(
        source_key=f"order.paid:{payload['order_uuid']}", source_event="order.paid", customer_id=customer_id,
        base_points=amount // MINOR_PER_POINT, occurred_at=datetime.fromisoformat(payload["at"]),
        activity="order", amount_minor=amount,
    )], clock=clock)  # fmt: skip


def points_on_referral_converted(*, payload: dict, clock: Clock = default_clock) -> None:
    """The referrer of a newcomer who signed a plan: 1,000 points, once per referred customer."""
    referrer_id = Customer.objects.values_list("id", flat=True).filter(uuid=payload["referrer_uuid"]).first()
    if referrer_id is None:
        return
    points_events_apply(events=[EarnEvent(
        source_key=f"referral:{payload['referred_uuid']}", source_event="referral.converted",
        customer_id=referrer_id, base_points=REFERRAL_POINTS, occurred_at=datetime.fromisoformat(payload["at"]),
    )], clock=clock)  # fmt: skip


# --- Spending, expiry, release -------------------------------------------------------------------------


def points_redeem(
    *, customer: Customer, points, source_key: str, memo: str = "", clock: Clock = default_clock
) -> PointsEntry:
    """Spend points (the lots that expire first); once per source key. Beyond the balance
    (frozen points are not spendable): InsufficientPoints, nothing written."""
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValidationFailed(_("Enter a whole number of points above zero."), fields={"points": [_("Invalid.")]})
    if not isinstance(source_key, str) or not source_key.strip() or len(source_key) > 100:
        raise ValidationFailed(_("A redemption needs a reference."), fields={"source_key": [_("Invalid.")]})
    key = f"redeem:{source_key.strip()}"
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(customer=customer).first()
        existing = PointsEntry.objects.filter(source_key=key).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise NotFound(_("Unknown redemption."))
            return existing
        balance = membership.points_balance if membership else 0
        if points > balance:
            raise InsufficientPoints(
                _("Only %(balance)d points are available.") % {"balance": balance},
                fields={"points": [_("More than the available points.")]},
            )
        _lots_spend(customer=customer, points=points)
        Membership.objects.filter(pk=membership.pk).update(points_balance=balance - points)
        return PointsEntry.objects.create(
            customer=customer, kind=PointsKind.REDEEM, points=-points, source_key=key,
            source_event="points.redeemed", memo=memo[:200], occurred_at=clock.now(),
        )  # fmt: skip


MAX_ADJUST = 1_000_000


def _adjust_clean(points, reason: str, key: str) -> str:
    if isinstance(points, bool) or not isinstance(points, int) or points == 0 or abs(points) > MAX_ADJUST:
        raise ValidationFailed(
            _("Enter a whole number of points, not zero, up to %(max)d either way.") % {"max": MAX_ADJUST},
            fields={"points": [_("Invalid.")]},
        )
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > 200:
        raise ValidationFailed(_("Say why the points change."), fields={"reason": [_("Enter a reason (200 characters at most).")]})
    if not isinstance(key, str) or not key.strip() or len(key) > 100:
        raise ValidationFailed(_("An adjustment needs a reference."), fields={"key": [_("Invalid.")]})
    return f"adjust:{key.strip()}"


def _lots_spend(*, customer: Customer, points: int) -> None:
    """Take `points` from the spendable lots, the soonest to expire first."""
    left = points
    lots = PointsEntry.objects.select_for_update().filter(
        customer=customer, kind__in=(PointsKind.EARN, PointsKind.ADJUST), frozen=False, remaining__gt=0
    ).order_by("expires_on", "id")
    for lot in lots:
        used = min(left, lot.remaining)
        PointsEntry.objects.filter(pk=lot.pk).update(remaining=lot.remaining - used)
        left -= used
        if not left:
            break


def points_adjust(
    *, customer: Customer, points, reason: str, key: str, clock: Clock = default_clock
) -> PointsEntry:
    """The shop adds or takes points by hand, with a reason; once per key (a form sent
    twice changes nothing more). Taking more than the spendable balance is refused:
    InsufficientPoints, nothing written. Points added are a lot that expires like earned ones."""
    source_key = _adjust_clean(points, reason, key)
    with transaction.atomic():
        memberships_ensure(lo=customer.pk, hi=customer.pk, ids=[customer.pk])
        membership = Membership.objects.select_for_update().get(customer=customer)
        existing = PointsEntry.objects.filter(source_key=source_key).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise NotFound(_("Unknown adjustment."))
            return existing
        if points < 0:
            if -points > membership.points_balance:
                raise InsufficientPoints(
                    _("Only %(balance)d points are available.") % {"balance": membership.points_balance},
                    fields={"points": [_("The balance cannot go below zero.")]},
                )
            _lots_spend(customer=customer, points=-points)
        now = clock.now()
        Membership.objects.filter(pk=membership.pk).update(points_balance=membership.points_balance + points)
        return PointsEntry.objects.create(
            customer=customer, kind=PointsKind.ADJUST, points=points, source_key=source_key,
            source_event="points.adjusted", memo=reason.strip(), remaining=max(points, 0), occurred_at=now,
            expires_on=date(clock.today().year + 1, 12, 31) if points > 0 else None,
        )  # fmt: skip


_EXPIRE_SQL = """
WITH lots AS (
    SELECT id, customer_id, remaining FROM loyalty_pointsentry
    WHERE remaining > 0 AND NOT frozen AND expires_on < %(today)s FOR UPDATE
), gone AS (
    UPDATE loyalty_pointsentry p SET remaining = 0 FROM lots WHERE p.id = lots.id
), ins AS (
    INSERT INTO loyalty_pointsentry (customer_id, kind, points, source_key, source_event, memo, remaining, frozen,
                                     occurred_at, created_at)
    SELECT customer_id, 'expire', -remaining, 'expire:' || id, 'points.expired', '', 0, false, %(now)s, %(now)s
    FROM lots ON CONFLICT (source_key) DO NOTHING RETURNING customer_id, points
), sums AS (SELECT customer_id, sum(points) AS points FROM ins GROUP BY customer_id)
UPDATE loyalty_membership ms SET points_balance = ms.points_balance + s.points
FROM sums s WHERE ms.customer_id = s.customer_id RETURNING -s.points
"""

_RELEASE_SQL = """
WITH freed AS (
    UPDATE loyalty_pointsentry p SET frozen = false, released_at = %(now)s
    FROM customers_customer c
    WHERE p.frozen AND c.id = p.customer_id AND c.standing <> ALL(%(held)s)
    RETURNING p.customer_id, p.remaining
), sums AS (SELECT customer_id, sum(remaining) AS points FROM freed GROUP BY customer_id)
UPDATE loyalty_membership ms SET points_balance = ms.points_balance + s.points,
    points_frozen = ms.points_frozen - s.points
FROM sums s WHERE ms.customer_id = s.customer_id RETURNING s.points
"""


def points_expire_run(*, clock: Clock = default_clock) -> int:
    """Expire what is left of every lot past its date, through the ledger; the points expired."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_EXPIRE_SQL, {"today": clock.today(), "now": clock.now()})
        return sum(row[0] for row in cursor.fetchall())


def points_release_run(*, clock: Clock = default_clock) -> int:
    """Release the frozen points of customers who are no longer overdue; the points released."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RELEASE_SQL, {"now": clock.now(), "held": list(HELD_STANDINGS)})
        return sum(row[0] for row in cursor.fetchall())
