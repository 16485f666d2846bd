"""Reads of the partner registry. Bookings and ratings are always read for one shop.

Emergency search runs on plain PostgreSQL: a bounding box around the point (an index
range on latitude, longitude filtered inside the same index) narrows 10,000 partners to
the few nearby, then the exact haversine distance keeps those within the radius and
orders them, nearest first. No extension is needed, so any managed PostgreSQL will do.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Avg, Count, DateField, QuerySet, Sum
from django.db.models.functions import TruncMonth

from pawpact.core.clock import default_clock, local_midnight
from pawpact.core.months import month_add, month_start
from pawpact.partners.enums import BookingStatus, PartnerKind, PartnerState
from pawpact.partners.hours import DAYS, day_label, local_moment
from pawpact.partners.models import Partner, PartnerBooking, PartnerPayment, PartnerRating
from pawpact.partners.services import MIN_RATINGS, WINDOW_DAYS, WINDOW_RATINGS

EARTH_RADIUS_M = 6_371_008.8
EMERGENCY_RADIUS_M = 3000
SEARCHABLE = (PartnerState.LISTED, PartnerState.RECTIFICATION)  # as in the partial index partner_clinic_search_idx

# Distance in metres from the point (bound as %s, %s, %s: latitude, latitude, longitude) to each row.
_HAVERSINE = f"""2 * {EARTH_RADIUS_M} * asin(sqrt(
    power(sin(radians(latitude - %s) / 2), 2)
    + cos(radians(%s)) * cos(radians(latitude)) * power(sin(radians(longitude - %s) / 2), 2)))"""


@dataclass(frozen=True)
class NearbyPartner:
    id: int
    name: str
    phone: str
    address: str
    latitude: float
    longitude: float
    open_24h: bool
    weekly_hours: list
    open_now: bool | None  # None: the clinic has not given its hours
    distance_m: int
    weekday: int = 0  # the day the search ran, Monday 0, in the platform's time zone

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def hours_today(self) -> str:
        return day_label(self.weekly_hours[self.weekday]) if len(self.weekly_hours) == DAYS else ""


def _box(latitude: float, longitude: float, radius_m: float) -> tuple[float, float, float, float]:
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    d_lng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)))
    return latitude - d_lat, latitude + d_lat, longitude - d_lng, longitude + d_lng


# Open at the moment bound as (weekday, "HH:MM", "HH:MM") by the week's ranges of that day;
# NULL when the hours are not given (pawpact.partners.hours.is_open, in SQL). "HH:MM" compares as text.
OPEN_NOW_SQL = """CASE WHEN open_24h THEN true WHEN jsonb_array_length(weekly_hours) <> 7 THEN NULL
    ELSE EXISTS (SELECT 1 FROM jsonb_array_elements(weekly_hours -> %s) AS r(span)
                 WHERE span ->> 0 <= %s AND %s < span ->> 1) END"""


def clinics_near(
    *, latitude: float, longitude: float, radius_m: int = EMERGENCY_RADIUS_M, limit: int = 20,
    open_now_only: bool = False, at: datetime | None = None,
) -> list[NearbyPartner]:  # fmt: skip
    """Listed clinics within `radius_m` of the point, nearest first (ties by id), each marked
    open now or not at `at` (default now); with `open_now_only`, only those open."""
    lat_min, lat_max, lng_min, lng_max = _box(latitude, longitude, radius_m)
    # Near the antimeridian the box wraps; two longitude ranges then.
    if lng_min < -180 or lng_max > 180:
        lng_filter = "(longitude >= %s OR longitude <= %s)"
        lng_args = [lng_min + 360 if lng_min < -180 else lng_min, lng_max - 360 if lng_max > 180 else lng_max]
    else:
        lng_filter, lng_args = "longitude BETWEEN %s AND %s", [lng_min, lng_max]
    sql = f"""
        SELECT * FROM (
            SELECT id, name, phone, address, latitude, longitude, open_24h, weekly_hours,
                   {OPEN_NOW_SQL} AS open_now, {_HAVERSINE} AS distance
            FROM partners_partner
            WHERE kind = 'clinic' AND state IN ('listed', 'rectification')
              AND latitude BETWEEN %s AND %s AND {lng_filter}
        ) nearby WHERE distance <= %s {"AND open_now" if open_now_only else ""} ORDER BY distance, id LIMIT %s
    """
    weekday, clock = local_moment(at or default_clock.now())
    # The kind and states are written in the SQL, not bound, so the planner matches the partial index.
    args = [weekday, clock, clock, latitude, latitude, longitude, lat_min, lat_max, *lng_args, radius_m, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    # Django leaves jsonb undecoded on a plain cursor.
    return [NearbyPartner(*row[:7], json.loads(row[7]) if isinstance(row[7], str) else row[7], row[8],
                          distance_m=round(row[9]), weekday=weekday) for row in rows]  # fmt: skip


def clinics_near_naive(*, latitude: float, longitude: float, radius_m: int = EMERGENCY_RADIUS_M, limit: int = 20):
    """The same answer by computing every partner's distance: the benchmark's baseline."""
    sql = f"""
        SELECT * FROM (
            SELECT id, {_HAVERSINE} AS distance FROM partners_partner WHERE kind = %s AND state IN (%s, %s)
        ) d WHERE distance <= %s ORDER BY distance, id LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [latitude, latitude, longitude, PartnerKind.CLINIC, *SEARCHABLE, radius_m, limit])
        return [(row[0], round(row[1])) for row in cursor.fetchall()]


def partner_list(*, state: str = "", kind: str = "", query: str = "") -> QuerySet[Partner]:
    partners = Partner.objects.annotate(rating_count=Count("ratings"), rating_average=Avg("ratings__stars"))
    if state:
        partners = partners.filter(state=state)
    if kind:
        partners = partners.filter(kind=kind)
    if query:
        partners = partners.filter(name__icontains=query)
    return partners.order_by("name", "id")


def bookable_partners(*, kind: str = "", service: str = "", query: str = "") -> QuerySet[Partner]:
    partners = partner_list(kind=kind, query=query).filter(state__in=SEARCHABLE)
    if service:
        partners = partners.filter(services__contains=[service])
    return partners


def shop_bookings(*, shop_id: int) -> QuerySet[PartnerBooking]:
    return PartnerBooking.objects.filter(shop_id=shop_id).select_related("partner")


def customer_bookings(*, shop_id: int, customer_uuid) -> QuerySet[PartnerBooking]:
    return shop_bookings(shop_id=shop_id).filter(customer_uuid=customer_uuid).select_related("rating")


def redemptions_used(*, shop_id: int, contract_uuid, period_number: int, kind: str) -> int:
    """Live (not cancelled) partner redemptions of one allowance: a contract's period's entitlement kind."""
    return (
        PartnerBooking.objects.filter(shop_id=shop_id, with_entitlement=True, contract_uuid=contract_uuid,
                                      period_number=period_number, entitlement_kind=kind)  # fmt: skip
        .exclude(status=BookingStatus.CANCELLED)
        .count()
    )


def rating_months(*, partner: Partner, months: int = 12, today: date) -> list[tuple[date, float | None, int]]:
    """(month, average stars or None, count) for the last `months` months: the console's chart."""
    first = month_add(month_start(today), -(months - 1))
    stars_by_month: dict[date, list[int]] = {}
    for row in _monthly_voices(partner=partner, since=first):
        stars_by_month.setdefault(row["month"], []).append(row["stars"])
    out = []
    for i in range(months):
        month = month_add(first, i)
        stars = stars_by_month.get(month, [])
        out.append((month, round(sum(stars) / len(stars), 2) if stars else None, len(stars)))
    return out


def _monthly_voices(*, partner: Partner, since: date):
    # As the ratings rule: one voice per customer, their latest rating of the month.
    customer = ("month", "shop_id", "booking__customer_uuid")
    return (
        PartnerRating.objects.filter(partner=partner, created_at__gte=local_midnight(since))
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .order_by(*customer, "-created_at", "-id").distinct(*customer).values("month", "stars")
    )


@dataclass(frozen=True)
class StatementLine:
    counterparty_id: int
    counterparty: str
    bookings: int
    amount_minor: int


def clearing_statement(
    *, month: date, partner_id: int | None = None, shop_id: int | None = None
) -> list[StatementLine]:
    """What shops owe partners for entitlements redeemed (completed) in `month`: per shop for a
    partner's statement, per partner for a shop's."""
    start, end = local_midnight(month_start(month)), local_midnight(month_add(month_start(month), 1))
    rows = PartnerBooking.objects.filter(
        status=BookingStatus.COMPLETED, with_entitlement=True, completed_at__gte=start, completed_at__lt=end
    )
    if partner_id is not None:
        rows, key, name = rows.filter(partner_id=partner_id), "shop_id", "shop__name"
    else:
        rows, key, name = rows.filter(shop_id=shop_id), "partner_id", "partner__name"
    grouped = rows.values(key, name).annotate(n=Count("id"), total=Sum("price_minor")).order_by(name)
    return [StatementLine(row[key], row[name], row["n"], row["total"] or 0) for row in grouped]


@dataclass(frozen=True)
class StatementMonth:
    """One month of a partner's statement: entitlements redeemed (completed), owed, and paid."""

    month: date
    redemptions: int
    amount_minor: int
    payment: PartnerPayment | None

    @property
    def paid_minor(self) -> int:
        return self.payment.amount_minor if self.payment and self.payment.status == "paid" else 0


def partner_redemptions(*, partner_id: int, month: date) -> QuerySet[PartnerBooking]:
    """The partner's redemptions completed in `month` (what its payment for the month pays)."""
    start, end = local_midnight(month_start(month)), local_midnight(month_add(month_start(month), 1))
    return (
        PartnerBooking.objects.filter(partner_id=partner_id, status=BookingStatus.COMPLETED, with_entitlement=True,
                                      completed_at__gte=start, completed_at__lt=end)  # fmt: skip
        .select_related("shop")
        .order_by("completed_at", "id")
    )


def partner_statement(*, partner_id: int, today: date, months: int = 12) -> list[StatementMonth]:
    """The last `months` months, newest first, each with its payment (if the month was settled)."""
    first = month_add(month_start(today), -(months - 1))
    rows = {
        row["month"]: row
        for row in PartnerBooking.objects.filter(partner_id=partner_id, status=BookingStatus.COMPLETED,
                                                 with_entitlement=True, completed_at__gte=local_midnight(first))
        .annotate(month=TruncMonth("completed_at", output_field=DateField()))
        .values("month")
        .annotate(n=Count("id"), total=Sum("price_minor"))
    }  # fmt: skip
    payments = {p.month: p for p in PartnerPayment.objects.filter(partner_id=partner_id, month__gte=first)}
    out = []
    for i in range(months - 1, -1, -1):
        month = month_add(first, i)
        row = rows.get(month)
        out.append(StatementMonth(month, row["n"] if row else 0, (row["total"] or 0) if row else 0, payments.get(month)))
    return out


# The window of the ratings rule (pawpact.partners.services.rolling_window) for many partners in
# one query: each customer's latest rating of the last 90 days (since rectification started, when
# it has), the latest 20 of those per partner.
_STANDING_SQL = """
    WITH voices AS (
        SELECT DISTINCT ON (r.partner_id, r.shop_id, b.customer_uuid) r.partner_id, r.stars, r.created_at, r.id
        FROM partners_partnerrating r
        JOIN partners_partnerbooking b ON b.id = r.booking_id
        JOIN partners_partner p ON p.id = r.partner_id
        WHERE r.partner_id = ANY(%s) AND r.created_at >= %s
          AND (p.rectification_started_at IS NULL OR r.created_at >= p.rectification_started_at)
        ORDER BY r.partner_id, r.shop_id, b.customer_uuid, r.created_at DESC, r.id DESC
    ), ranked AS (
        SELECT partner_id, stars, row_number() OVER (PARTITION BY partner_id ORDER BY created_at DESC, id DESC) AS n
        FROM voices
    )
    SELECT partner_id, count(*), sum(stars) FROM ranked WHERE n <= %s GROUP BY partner_id
"""


def standings_attach(partners, *, now: datetime) -> list[Partner]:
    """Each partner with `standing_customers` (customers in the rule's window) and
    `standing_average` (their average, None below the 5 customers a verdict needs)."""
    partners = list(partners)
    with connection.cursor() as cursor:
        cursor.execute(_STANDING_SQL, [[p.pk for p in partners], now - timedelta(days=WINDOW_DAYS), WINDOW_RATINGS])
        found = {partner_id: (count, total) for partner_id, count, total in cursor.fetchall()}
    for partner in partners:
        count, total = found.get(partner.pk, (0, 0))
        partner.standing_customers = count
        partner.standing_average = (
            (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if count >= MIN_RATINGS else None
        )
    return partners
