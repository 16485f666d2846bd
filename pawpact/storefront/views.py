"""The customer's plans page: every debit's date and amount up front, and the way out of a
contract that never started (withdraw it; ending an active plan is on its own page,
signing_views.my_contract_end). A refused move shows the service's message with its
status (409 for a move the contract's state machine does not allow) and changes nothing."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import Contract
from pawpact.billing.selectors import calendar_list
from pawpact.billing.services.contract_state import CONTRACT_TRANSITIONS
from pawpact.billing.services.termination import is_within_cooling_off
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError


@login_required(login_url="account_login")
def my_contracts(request):
    """The customer's plans with their debit calendars: every date and amount, up front."""
    return _page(request)


def _page(request, *, error: DomainError | None = None):
    contracts = (
        Contract.objects.filter(customer__user=request.user)
        .select_related("pet", "plan_version__plan")
        .order_by("-created_at")
    )
    rows = [
        {
            "contract": contract,
            "calendar": [(period, PeriodStatus(period.status).label) for period in calendar_list(contract=contract)],
            "may_withdraw": ContractStatus.WITHDRAWN in CONTRACT_TRANSITIONS.get(contract.status, ()),
            "in_cooling_off": contract.status == ContractStatus.ACTIVE
            and is_within_cooling_off(contract=contract, clock=default_clock),
        }
        for contract in contracts
    ]
    context = {"rows": rows, "shop": request.tenant, "error": error.message if error else None}
    return render(request, "storefront/my_contracts.html", context, status=error.http_status if error else 200)


def _own_contract(request, uuid) -> Contract:
    return get_object_or_404(Contract, uuid=uuid, customer__user=request.user)


@login_required(login_url="account_login")
@require_POST
def my_contract_withdraw(request, uuid):
    """Withdraw an application or a signed contract that did not start; a held deposit is refunded."""
    try:
        contract_withdraw(contract=_own_contract(request, uuid), requested_by=request.user)
    except DomainError as error:
        return _page(request, error=error)
    messages.success(request, _("Your contract is withdrawn. Any deposit you paid is refunded."))
    return redirect("my_contracts")
