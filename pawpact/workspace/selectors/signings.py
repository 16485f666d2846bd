"""Reads for the signing wizard and the signings list."""
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from pawpact.billing.activation_schedule import ActivationSchedule, activation_schedule_text, waiting_schedule
from pawpact.billing.enums import OPEN_CONTRACT_STATUSES, ContractStatus
from pawpact.billing.models import Contract, Plan, PlanVersion, SigningLink
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import phone_normalize
from pawpact.workspace.selectors.contracts import next_due_subquery

WAITING_STATUSES = (ContractStatus.DRAFT, ContractStatus.SIGNED)
# A signed contract whose activation is queued waits for its rail's notices, not for the
# customer: staff must not chase a customer who has nothing left to do.
AWAITING_NOTICE = Q(status=ContractStatus.SIGNED, activation_queued_at__isnull=False)
AWAITING_CUSTOMER = Q(status__in=WAITING_STATUSES) & ~AWAITING_NOTICE


def customer_search(*, query: str, limit: int = 20) -> QuerySet[Customer]:
    """Customers whose phone or name matches `query` (a full phone number matches exactly)."""
    query = (query or "").strip()
    if not query:
        return Customer.objects.none()
    phone = phone_normalize(query)
    condition = Q(phone=phone) if phone else Q(name__icontains=query) | Q(phone__contains=query)
    return Customer.objects.filter(condition).order_by("name")[:limit]


def pets_for_signing(*, customer: Customer) -> tuple[list[Pet], list[Pet]]:
    """(the customer's own pets, the shop's pets waiting for adoption), none under an open contract."""
    under_contract = Exists(Contract.objects.filter(pet=OuterRef("pk"), status__in=OPEN_CONTRACT_STATUSES))
    pets = Pet.objects.annotate(taken=under_contract).filter(taken=False)
    own = list(pets.filter(owner=customer).order_by("name"))
    adoptable = list(pets.filter(owner__isnull=True).order_by("-created_at")[:50])
    return own, adoptable


def plans_on_sale() -> list[PlanVersion]:
    """The current version of every plan on sale, cheapest first."""
    newest = PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-version").values("pk")[:1]
    return list(
        PlanVersion.objects.filter(plan__is_active=True, pk=Subquery(newest))
        .select_related("plan")
        .order_by("monthly_price_minor", "plan__name")
    )


@dataclass(frozen=True)
class SigningState:
    contract: Contract
    link: SigningLink | None

    @property
    def steps(self) -> list[tuple[str, bool]]:
        link, contract = self.link, self.contract
        return [
            ("link", link is not None),
            ("opened", bool(link and link.opened_at)),
            ("code", bool(link and link.code_sent_at)),
            ("signed", contract.signed_at is not None),
            ("method", contract.payment_method_id is not None and contract.signed_at is not None),
            ("paid", contract.status == ContractStatus.ACTIVE or contract.activated_at is not None),
        ]

    @cached_property
    def schedule(self) -> ActivationSchedule | None:
        """The contract's start, when it waits for its rail's pre-debit notices."""
        return waiting_schedule(self.contract)

    @property
    def schedule_text(self) -> str:
        return activation_schedule_text(self.schedule, after_colon=True) if self.schedule else ""

    @property
    def is_done(self) -> bool:
        return self.contract.status not in WAITING_STATUSES


def signing_state(*, contract: Contract) -> SigningState:
    link = SigningLink.objects.filter(contract=contract, revoked_at__isnull=True).order_by("-id").first()
    return SigningState(contract=contract, link=link)


def waiting_schedules_attach(contracts) -> None:
    """Give each listed contract `waiting`: its start schedule while its rail's pre-debit
    notices hold it back (None otherwise), so lists show the first debit instead of a dash."""
    for contract in contracts:
        contract.waiting = waiting_schedule(contract)


def link_is_live(link: SigningLink | None, *, clock: Clock = default_clock) -> bool:
    return bool(
        link and link.completed_at is None and link.locked_at is None and link.expires_at > clock.now()
    )


def signing_list(*, state: str = "", query: str = "") -> QuerySet[Contract]:
    """Applications and their contracts, newest first: waiting for the customer, or started."""
    contracts = Contract.objects.select_related(
        "customer", "pet", "plan_version__plan", "payment_method"
    ).prefetch_related(
        Prefetch("signing_links", queryset=SigningLink.objects.order_by("-id"), to_attr="links")
    ).annotate(next_due=next_due_subquery())
    if state == "waiting":
        contracts = contracts.filter(AWAITING_CUSTOMER)
    elif state == "notice":
        contracts = contracts.filter(AWAITING_NOTICE)
    elif state == "active":
        contracts = contracts.filter(status=ContractStatus.ACTIVE)
    elif state == "withdrawn":
        contracts = contracts.filter(status=ContractStatus.WITHDRAWN)
    query = (query or "").strip()
    if query:
        contracts = contracts.filter(
            Q(customer__name__icontains=query) | Q(customer__phone__contains=query) | Q(pet__name__icontains=query)
        )
    return contracts.order_by("-created_at", "-id")


def plans_exist() -> bool:
    return Plan.objects.filter(is_active=True).exists()
