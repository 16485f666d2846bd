"""What a customer's standing holds back, for the storefront and loyalty to honour.

While a customer is overdue (or in default) their next shipment is held and their
points and tier progress are frozen; when the standing goes back to current (the
overdue period paid or deferred) both are released, with nothing to undo: the
holds are read from `Customer.standing`, which dunning keeps up to date
(pawpact.billing.services.standing).

    from pawpact.billing.holds import customer_holds

    holds = customer_holds(customer=customer)
    if holds.shipment_held: ...   # do not ship the next box
    if holds.loyalty_frozen: ...  # award no points, no tier progress

Staff may also hold one contract's shipments by hand (pawpact.billing.services.contract_holds);
`contract_holds` adds that hold to the customer's.
"""
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from pawpact.billing.models import Contract, ContractHold
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer

# Grace is not held: the debit is being retried and may still succeed.
HELD_STANDINGS = (CustomerStanding.OVERDUE, CustomerStanding.DEFAULT)


@dataclass(frozen=True)
class Holds:
    shipment_held: bool
    loyalty_frozen: bool
    reason: str  # "" when nothing is held, else what holds: "overdue" | "default" | "manual"

    @property
    def message(self) -> str:
        """Why, in words for the customer or staff (empty when nothing is held)."""
        if self.reason == CustomerStanding.DEFAULT:
            return _("Payments are in default: shipments are held and points are frozen.")
        if self.reason == CustomerStanding.OVERDUE:
            return _("A monthly payment is overdue: the next shipment is held and points are frozen until it is paid.")
        if self.reason == MANUAL:
            return _("The shop has put this plan's shipments on hold; debits continue.")
        return ""


NO_HOLDS = Holds(shipment_held=False, loyalty_frozen=False, reason="")
MANUAL = "manual"


def holds_for_standing(standing: str) -> Holds:
    if standing in HELD_STANDINGS:
        return Holds(shipment_held=True, loyalty_frozen=True, reason=str(standing))
    return NO_HOLDS


def customer_holds(*, customer: Customer) -> Holds:
    """The customer's holds now (read from the database, not from a possibly stale instance)."""
    standing = Customer.objects.filter(pk=customer.pk).values_list("standing", flat=True).first()
    return holds_for_standing(standing or CustomerStanding.CURRENT)


def held_customers_q(prefix: str = "") -> Q:
    """Customers with holds, as a filter (e.g. `Order.objects.filter(held_customers_q("customer__"))`)."""
    return Q(**{f"{prefix}standing__in": HELD_STANDINGS})


def held_customer_list() -> QuerySet[Customer]:
    return Customer.objects.filter(held_customers_q())


def contract_holds(*, contract: Contract) -> Holds:
    """What holds this contract's next box: the customer's standing, else a staff hold."""
    holds = customer_holds(customer=contract.customer)
    if holds.shipment_held:
        return holds
    if ContractHold.objects.filter(contract=contract, released_at__isnull=True).exists():
        return Holds(shipment_held=True, loyalty_frozen=False, reason=MANUAL)
    return NO_HOLDS
