"""Reads of coupons, segments and campaigns for the pages and the API."""
from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import Campaign, Coupon, CouponStatus, CouponTemplate, CouponUse, Segment
from pawpact.loyalty.segments import segment_customers

# What a coupon is to its holder today: the stored status, and "expired" for an unused one past its day.
STATE_EXPIRED = "expired"


def coupon_templates() -> QuerySet[CouponTemplate]:
    return CouponTemplate.objects.annotate(
        used_count=Count("coupons", filter=Q(coupons__status=CouponStatus.USED))
    ).order_by("-enabled", "name", "id")


def with_use(rows: QuerySet[Coupon]) -> QuerySet[Coupon]:
    """Coupons with their standing use prefetched (`coupon.use`) and its time and amount
    annotated (`use_at`, `use_minor`) for exports."""
    standing = CouponUse.objects.filter(returned_at__isnull=True)
    one = standing.filter(coupon_id=OuterRef("pk"))
    return rows.prefetch_related(Prefetch("uses", queryset=standing, to_attr="live_uses")).annotate(
        use_at=Subquery(one.values("used_at")[:1]), use_minor=Subquery(one.values("amount_minor")[:1])
    )


def coupon_list(*, status: str = "", template_id: int | None = None, query: str = "",
                clock: Clock = default_clock) -> QuerySet[Coupon]:  # fmt: skip
    """Issued coupons, newest first; `status` issued / used / void / expired."""
    rows = with_use(Coupon.objects.select_related("template", "customer"))
    today = clock.today()
    if status == STATE_EXPIRED:
        rows = rows.filter(status=CouponStatus.ISSUED, valid_until__lt=today)
    elif status == CouponStatus.ISSUED:
        rows = rows.filter(status=CouponStatus.ISSUED, valid_until__gte=today)
    elif status in CouponStatus.values:
        rows = rows.filter(status=status)
    if template_id:
        rows = rows.filter(template_id=template_id)
    if query:
        rows = rows.filter(Q(code__iexact=query.strip()) | Q(customer__name__icontains=query)
                           | Q(customer__phone__contains=query))  # fmt: skip
    return rows.order_by("-issued_at", "-id")


def customer_coupons(*, customer: Customer) -> QuerySet[Coupon]:
    """The customer's own coupons: usable first (the one ending soonest on top), then the rest."""
    return with_use(Coupon.objects.select_related("template")).filter(customer=customer).order_by("status", "valid_until", "id")


def segments_with_counts(*, clock: Clock = default_clock) -> list[tuple[Segment, int]]:
    return [(segment, segment_customers(segment.filters, clock=clock).count()) for segment in Segment.objects.all()]


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("segment", "template").annotate(
        issued=Count("coupons"), redeemed=Count("coupons", filter=Q(coupons__status=CouponStatus.USED))
    )


def coupon_templates_issuing() -> QuerySet[CouponTemplate]:
    """Templates that can still issue: enabled, and not fixed dates whose last day has passed."""
    return CouponTemplate.objects.filter(enabled=True).filter(
        Q(valid_until__isnull=True) | Q(valid_days__isnull=False) | Q(valid_until__gte=default_clock.today())
    ).order_by("name")
