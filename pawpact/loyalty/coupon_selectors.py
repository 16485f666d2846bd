"""Reads of coupons, segments and campaigns for the pages and the API."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import Campaign, Coupon, CouponStatus, CouponTemplate, Segment
from pawpact.loyalty.segments import segment_customers

# What a coupon is to its holder today: the stored status, and "expired" for an unused one past its day.
STATE_EXPIRED = "expired"


def coupon_templates() -> QuerySet[CouponTemplate]:
    return CouponTemplate.objects.annotate(
        used_count=Count("coupons", filter=Q(coupons__status=CouponStatus.USED))
    ).order_by("-enabled", "name", "id")


def coupon_list(*, status: str = "", template_id: int | None = None, query: str = "",
                clock: Clock = default_clock) -> QuerySet[Coupon]:  # fmt: skip
    """Issued coupons, newest first; `status` issued / used / void / expired."""
    rows = Coupon.objects.select_related("template", "customer", "use")
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
    return Coupon.objects.select_related("template", "use").filter(customer=customer).order_by("status", "valid_until", "id")


def segments_with_counts(*, clock: Clock = default_clock) -> list[tuple[Segment, int]]:
    return [(segment, segment_customers(segment.filters, clock=clock).count()) for segment in Segment.objects.all()]


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("segment", "template").annotate(
        issued=Count("coupons"), redeemed=Count("coupons", filter=Q(coupons__status=CouponStatus.USED))
    )
