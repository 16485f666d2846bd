"""Reads of the shops' subscriptions (public tables only)."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from pawpact.core.money import Money
from pawpact.platform.enums import InvoiceStatus, SubscriptionStatus
from pawpact.platform.models import SaasInvoice, SaasPlan, ShopSubscription
from pawpact.platform.saas.billing_adapters import method_label
from pawpact.platform.saas.errors import SaasInvoiceNotFound, UnknownSaasPlan
from pawpact.tenants.enums import ShopState

UNPAID_INVOICE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.FAILED)
# Statuses whose shops are billed when their period ends.
BILLABLE_STATUSES = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)


def saas_plan_list() -> QuerySet[SaasPlan]:
    """The plans a new shop may choose, cheapest first."""
    return SaasPlan.objects.filter(is_active=True).order_by("monthly_price_minor", "code")


def saas_plan_get(*, code: str) -> SaasPlan:
    plan = saas_plan_list().filter(code=code).first()
    if plan is None:
        message = _("Unknown plan %(code)r.") % {"code": code}
        raise UnknownSaasPlan(message, fields={"saas_plan": [message]})
    return plan


def subscription_get(*, shop_id: int) -> ShopSubscription | None:
    """The shop's subscription; None for shops made without the signup (demo, tests):
    those are treated as active with no contract limit."""
    return ShopSubscription.objects.select_related("plan").filter(shop_id=shop_id).first()


def subscription_is_read_only(*, shop_id: int) -> bool:
    return ShopSubscription.objects.filter(shop_id=shop_id, status=SubscriptionStatus.READ_ONLY).exists()


def subscription_contract_limit(*, shop_id: int) -> int | None:
    """How many active contracts the shop's plan allows; None is unlimited (also without a subscription)."""
    subscription = subscription_get(shop_id=shop_id)
    return None if subscription is None else subscription.plan.max_contracts


def subscription_due_ids(*, today: date) -> list[int]:
    """Subscriptions the daily run has something to do for: a period ended (trial or
    paid month) or an unpaid invoice in its grace period. Deactivated shops are not billed."""
    ready = ShopSubscription.objects.filter(shop__state=ShopState.ACTIVE)
    ended = ready.filter(status__in=BILLABLE_STATUSES, current_period_end__lte=today)
    in_grace = ready.filter(status=SubscriptionStatus.PAST_DUE)
    return sorted(set(ended.values_list("id", flat=True)) | set(in_grace.values_list("id", flat=True)))


def saas_invoice_unpaid(*, shop_id: int) -> SaasInvoice | None:
    """The oldest invoice still to pay (there is at most one: no period starts while one is unpaid)."""
    return (
        SaasInvoice.objects.filter(shop_id=shop_id, status__in=UNPAID_INVOICE_STATUSES)
        .order_by("period_start")
        .first()
    )


def saas_invoice_list(*, shop_id: int) -> QuerySet[SaasInvoice]:
    return SaasInvoice.objects.filter(shop_id=shop_id).select_related("plan").order_by("-period_start", "-id")


def saas_invoice_get(*, shop_id: int, number: str) -> SaasInvoice:
    """One of the shop's invoices; another shop's number is not found, never shown."""
    invoice = saas_invoice_list(shop_id=shop_id).filter(number=number).first()
    if invoice is None:
        raise SaasInvoiceNotFound(_("No such invoice."))
    return invoice


@dataclass(frozen=True)
class SubscriptionOverview:
    subscription: ShopSubscription
    plan: SaasPlan
    is_trialing: bool
    is_read_only: bool
    unpaid_invoice: SaasInvoice | None
    next_invoice_on: date | None  # when the next invoice is issued, if nothing is unpaid
    next_amount: Money
    payment_method_label: str


def subscription_overview(*, shop_id: int) -> SubscriptionOverview | None:
    subscription = subscription_get(shop_id=shop_id)
    if subscription is None:
        return None
    plan = subscription.plan
    unpaid = saas_invoice_unpaid(shop_id=shop_id)
    billable = unpaid is None and subscription.status in BILLABLE_STATUSES
    return SubscriptionOverview(
        subscription=subscription,
        plan=plan,
        is_trialing=subscription.status == SubscriptionStatus.TRIALING,
        is_read_only=subscription.status == SubscriptionStatus.READ_ONLY,
        unpaid_invoice=unpaid,
        next_invoice_on=subscription.current_period_end if billable else None,
        next_amount=(
            Money(unpaid.amount_minor, unpaid.currency) if unpaid else Money(plan.monthly_price_minor, plan.currency)
        ),
        payment_method_label=method_label(rail=subscription.payment_rail, token=subscription.payment_token),
    )


def subscription_list(*, status: str | None = None) -> QuerySet[ShopSubscription]:
    """Every shop's subscription for the platform console, newest shops first."""
    subscriptions = ShopSubscription.objects.select_related("shop", "plan").order_by("-shop__created_at", "-id")
    if status:
        subscriptions = subscriptions.filter(status=status)
    return subscriptions


@dataclass(frozen=True)
class SaasLedgerExpectation:
    """What the platform ledger's SaaS accounts must hold, from the invoices (for ledger checks)."""

    revenue_minor: int  # every issued invoice (credited to SAAS_REVENUE, so its balance is minus this)
    receivable_minor: int  # invoices not yet paid (SAAS_RECEIVABLE)
    cash_minor: int  # invoices paid (their share of CASH)


def saas_ledger_expectation(*, shop_id: int | None = None) -> SaasLedgerExpectation:
    invoices = SaasInvoice.objects.exclude(status=InvoiceStatus.VOID)
    if shop_id is not None:
        invoices = invoices.filter(shop_id=shop_id)
    totals = invoices.aggregate(
        issued=Sum("amount_minor"),
        unpaid=Sum("amount_minor", filter=Q(status__in=UNPAID_INVOICE_STATUSES)),
        paid=Sum("amount_minor", filter=Q(status=InvoiceStatus.PAID)),
    )
    return SaasLedgerExpectation(
        revenue_minor=totals["issued"] or 0, receivable_minor=totals["unpaid"] or 0, cash_minor=totals["paid"] or 0
    )
