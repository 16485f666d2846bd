"""Loyalty in the shop's back office: customer segments, win-back offers and exit surveys (read-only)."""
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pawpact.core.admin import ShopOnlyAdmin
from pawpact.customers.admin import CustomerAdmin
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.loyalty.selectors import (
    SEGMENT_NORMAL,
    SEGMENT_OVERDUE,
    SEGMENT_TERMINATED,
    SEGMENTS,
    customer_segment_list,
)


class CustomerSegmentFilter(admin.SimpleListFilter):
    """Normal / overdue / terminated (pawpact.loyalty.services)."""

    title = _("segment")
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        return [(SEGMENT_NORMAL, _("Normal")), (SEGMENT_OVERDUE, _("Overdue")), (SEGMENT_TERMINATED, _("Terminated"))]

    def queryset(self, request, queryset):
        if self.value() not in SEGMENTS:
            return queryset
        return queryset.filter(pk__in=customer_segment_list(name=self.value()).values("pk"))


# The customers' list is registered by the customers app, which knows nothing of segments.
CustomerAdmin.list_filter = [*CustomerAdmin.list_filter, CustomerSegmentFilter]


class _ReadOnlyAdmin(ShopOnlyAdmin):
    """Written by the loyalty services only; staff look."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WinBackOffer)
class WinBackOfferAdmin(_ReadOnlyAdmin):
    list_display = ["code", "customer", "discount_rate", "sent_at", "expires_at", "redeemed_at", "redeemed_contract"]
    list_select_related = ["customer", "redeemed_contract"]
    search_fields = ["code", "customer__name", "customer__phone"]
    readonly_fields = [
        "customer", "contract", "code", "discount_rate", "sent_at", "expires_at", "redeemed_at", "redeemed_contract",
    ]  # fmt: skip


@admin.register(SurveyResponse)
class SurveyResponseAdmin(_ReadOnlyAdmin):
    list_display = ["contract", "sent_at", "answered_at", "score"]
    list_filter = ["score"]
    list_select_related = ["contract__customer", "contract__plan_version__plan"]
    readonly_fields = ["contract", "sent_at", "answered_at", "score", "answers"]
    exclude = ["token"]
