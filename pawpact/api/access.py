"""The records a request may reach: staff every record of their shop, a customer only
their own. Views look records up through these, so someone else's record answers 404,
not 403, and its existence does not leak."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from pawpact.billing.models import Contract
from pawpact.core.errors import PermissionDenied
from pawpact.customers.models import Customer


def own_customer(request) -> Customer | None:
    return Customer.objects.filter(user=request.user).first()


def contracts_for(request):
    contracts = Contract.objects.select_related("customer", "pet", "plan_version__plan", "payment_method")
    if request.user.is_staff:
        return contracts
    return contracts.filter(customer__user=request.user)


def contract_get(request, uuid) -> Contract:
    return get_object_or_404(contracts_for(request), uuid=uuid)


def own_id_only(customer: Customer, value, field: str) -> None:
    """A customer acts for themself: naming another customer (`customer_uuid`, `owner_uuid`)
    is refused (403), never quietly replaced by their own id."""
    if value is not None and value != customer.uuid:
        raise PermissionDenied(
            _("Customers act for themselves: leave out %(field)s, or send your own.") % {"field": field},
            fields={field: [_("Not your customer id.")]},
        )
