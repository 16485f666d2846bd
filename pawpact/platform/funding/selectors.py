"""Reads of advance funding and of the outbox drain (public tables only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Min, Q, QuerySet, Sum
from django_tenants.utils import get_public_schema_name

from pawpact.core.clock import Clock, default_clock
from pawpact.platform.enums import AdvanceStatus, PayoutAccountKind, PayoutStatus
from pawpact.platform.models import Advance, Clawback, Payout, PayoutAccount, PlatformEvent, ShopDrainState
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop


def funding_shop_list() -> QuerySet[Shop]:
    """Shops the platform can fund (the public site's row excluded), by name."""
    return Shop.objects.exclude(schema_name=get_public_schema_name()).order_by("name", "id")


def advance_list(*, shop_id: int, status: str | None = None) -> QuerySet[Advance]:
    advances = Advance.objects.filter(shop_id=shop_id).order_by("-id")
    if status:
        advances = advances.filter(status=status)
    return advances


def payout_list(*, shop_id: int | None = None) -> QuerySet[Payout]:
    payouts = Payout.objects.select_related("shop").order_by("-settlement_date", "-id")
    if shop_id is not None:
        payouts = payouts.filter(shop_id=shop_id)
    return payouts


def payout_get(*, payout_id: int, shop_id: int | None = None) -> Payout | None:
    return payout_list(shop_id=shop_id).filter(pk=payout_id).first()


def clawback_list(*, shop_id: int) -> QuerySet[Clawback]:
    return Clawback.objects.filter(shop_id=shop_id).select_related("advance", "payout").order_by("-id")


@dataclass(frozen=True)
class FundingSummary:
    advances_pending_minor: int
    advances_pending: int
    advances_paid_minor: int
    open_clawbacks_minor: int
    payouts_unpaid: int
    advances_due: int = 0  # unpaid and payable today or earlier
    advances_due_minor: int = 0
    first_payable_on: date | None = None  # the earliest day an advance not yet due becomes payable

    @property
    def advances_not_due(self) -> int:
        return self.advances_pending - self.advances_due

    @property
    def advances_not_due_minor(self) -> int:
        return self.advances_pending_minor - self.advances_due_minor


def funding_summary(*, shop_id: int | None = None, clock: Clock = default_clock) -> FundingSummary:
    advances = Advance.objects.all() if shop_id is None else Advance.objects.filter(shop_id=shop_id)
    clawbacks = Clawback.objects.all() if shop_id is None else Clawback.objects.filter(shop_id=shop_id)
    payouts = Payout.objects.all() if shop_id is None else Payout.objects.filter(shop_id=shop_id)
    unpaid = Q(status__in=(AdvanceStatus.PENDING, AdvanceStatus.IN_PAYOUT))
    due = unpaid & Q(payable_on__lte=clock.today())
    totals = advances.aggregate(
        pending_minor=Sum("amount_minor", filter=unpaid),
        pending=Count("id", filter=unpaid),
        due_minor=Sum("amount_minor", filter=due),
        due=Count("id", filter=due),
        first_payable_on=Min("payable_on", filter=unpaid & ~Q(payable_on__lte=clock.today())),
        paid_minor=Sum("amount_minor", filter=Q(status=AdvanceStatus.PAID)),
    )
    return FundingSummary(
        advances_pending_minor=totals["pending_minor"] or 0,
        advances_pending=totals["pending"] or 0,
        advances_paid_minor=totals["paid_minor"] or 0,
        open_clawbacks_minor=clawbacks.exclude(payout__status=PayoutStatus.PAID).aggregate(t=Sum("amount_minor"))["t"]
        or 0,
        payouts_unpaid=payouts.exclude(status=PayoutStatus.PAID).count(),
        advances_due=totals["due"] or 0,
        advances_due_minor=totals["due_minor"] or 0,
        first_payable_on=totals["first_payable_on"],
    )


@dataclass(frozen=True)
class DrainLag:
    shop_id: int
    shop_name: str
    shop_slug: str
    shop_state: str
    pending_count: int
    oldest_pending_at: datetime | None
    pending_age_seconds: int | None
    drained_at: datetime | None
    last_event_id: int
    unapplied: int

    @property
    def shop_state_label(self) -> str:
        return ShopState(self.shop_state).label


def drain_lag_list(*, now: datetime, shop_ids=None) -> list[DrainLag]:
    """Per shop: outbox events still waiting at the last drain (count, age), when it last
    drained, and drained events not yet applied. Shops never drained show no state."""
    shops = funding_shop_list()
    if shop_ids is not None:
        shops = shops.filter(pk__in=list(shop_ids))
    states = {s.shop_id: s for s in ShopDrainState.objects.filter(shop__in=shops)}
    unapplied = dict(
        PlatformEvent.objects.filter(shop__in=shops, applied_at__isnull=True)
        .values("shop_id")
        .annotate(n=Count("id"))
        .values_list("shop_id", "n")
    )
    rows = []
    for shop in shops:
        state = states.get(shop.pk)
        oldest = state.oldest_pending_at if state else None
        rows.append(
            DrainLag(
                shop_id=shop.pk,
                shop_name=shop.name,
                shop_slug=shop.slug,
                shop_state=shop.state,
                pending_count=state.pending_count if state else 0,
                oldest_pending_at=oldest,
                pending_age_seconds=max(int((now - oldest).total_seconds()), 0) if oldest else None,
                drained_at=state.drained_at if state else None,
                last_event_id=state.last_event_id if state else 0,
                unapplied=unapplied.get(shop.pk, 0),
            )
        )
    return rows


def payout_account_of(*, shop_id: int) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(shop_id=shop_id).first()


def drained_at(*, shop_id: int) -> datetime | None:
    """When the shop's contract events last reached the platform (advances follow them)."""
    return ShopDrainState.objects.filter(shop_id=shop_id).values_list("drained_at", flat=True).first()


def payout_form_initial(*, shop_id: int, account: PayoutAccount | None) -> dict:
    """What a payout-account form starts with: the account as last given (so a refused one is
    corrected, not retyped), else Alipay for a shop paid in yuan and Stripe otherwise."""
    if account is not None:
        return {"kind": account.kind, "account_ref": account.account_ref, "holder_name": account.holder_name}
    currency = Advance.objects.filter(shop_id=shop_id).values_list("currency", flat=True).first() or "CNY"
    kind = PayoutAccountKind.ALIPAY_RECEIVER if currency == "CNY" else PayoutAccountKind.STRIPE_CONNECT
    return {"kind": kind, "account_ref": "", "holder_name": ""}
