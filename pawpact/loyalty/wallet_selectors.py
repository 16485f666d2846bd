"""Reads for referrals, the points mall and stored value (pages, API, exports)."""
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce

from pawpact.customers.models import Customer
from pawpact.loyalty.wallet_models import (
    MallItem, Redemption, Referral, RefundLegStatus, ReferralStatus, StoredValueAccount, StoredValueMovement, StoredValueRefund,
    StoredValueRefundLeg, TopUp,
)  # fmt: skip


@dataclass(frozen=True)
class ReferralSummary:
    referred: int
    converted: int
    points_earned: int
    credit_earned_minor: int


def referral_summary(*, customer: Customer) -> ReferralSummary:
    row = Referral.objects.filter(referrer=customer).aggregate(
        referred=Count("id"), converted=Count("id", filter=Q(status=ReferralStatus.CONVERTED)),
        points=Coalesce(Sum("referrer_points"), 0), credit=Coalesce(Sum("referrer_credit_minor"), 0),
    )  # fmt: skip
    return ReferralSummary(row["referred"], row["converted"], row["points"], row["credit"])


def referral_list():
    return Referral.objects.select_related("referrer", "referred", "contract").order_by("-created_at", "-id")


def mall_items_on_sale():
    return MallItem.objects.filter(active=True).order_by("points", "id")


def mall_items():
    return MallItem.objects.annotate(redeemed=Count("redemptions")).order_by("-active", "points", "id")


def redemption_list(*, customer: Customer | None = None):
    redemptions = Redemption.objects.select_related("customer").order_by("-created_at", "-id")
    return redemptions if customer is None else redemptions.filter(customer=customer)


def stored_value_of(*, customer: Customer) -> StoredValueAccount:
    """The customer's account, or an empty one (not saved) before their first top-up."""
    return StoredValueAccount.objects.filter(customer=customer).first() or StoredValueAccount(customer=customer)


def movements_of(*, customer: Customer):
    return StoredValueMovement.objects.filter(account__customer=customer).order_by("-occurred_at", "-id")


def stored_value_accounts():
    return StoredValueAccount.objects.select_related("customer").order_by("-paid_minor", "-gift_minor", "id")


def stored_value_totals() -> dict:
    return StoredValueAccount.objects.aggregate(paid=Coalesce(Sum("paid_minor"), 0), gift=Coalesce(Sum("gift_minor"), 0))


def movement_list():
    return StoredValueMovement.objects.select_related("account__customer").order_by("-occurred_at", "-id")


def top_ups_of(*, customer: Customer):
    return TopUp.objects.filter(customer=customer).order_by("-created_at", "-id")


def refunds_of(*, customer: Customer):
    """The customer's stored-value refunds, newest first, each with its legs (where the money went)."""
    return refund_list().filter(customer=customer)


def refund_list():
    """Stored-value refunds, newest first, with their customer and legs, and how many legs wait."""
    legs = StoredValueRefundLeg.objects.select_related("payment_method").order_by("id")
    refunds = StoredValueRefund.objects.select_related("customer").prefetch_related(Prefetch("legs", queryset=legs))
    return refunds.annotate(waiting=Count("legs", filter=Q(legs__status=RefundLegStatus.PENDING))).order_by("-created_at", "-id")
