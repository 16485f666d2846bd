"""合同: the list (filters, search, exports) and the contract page with its timeline and actions.

Every action goes through a billing service and asks for confirmation first; ending a
contract shows the quote before anything is charged (inside the cooling-off period the
quote is the free cancellation). A refused action shows the contract page again with the
service's message and its status: 409 for a move the contract's state machine refuses.
"""
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.enums import ContractStatus, TerminationKind
from pawpact.billing.models import Contract, Plan, TerminationQuote
from pawpact.billing.selectors import calendar_list, termination_quote_summary
from pawpact.billing.services.contract_state import CONTRACT_TRANSITIONS
from pawpact.billing.services.termination import (
    contract_cancel_cooling_off,
    contract_terminate_pet_loss,
    is_within_cooling_off,
    termination_execute,
    termination_quote,
)
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.customers.enums import CustomerStanding
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.selectors.contracts import contract_list, contract_timeline
from pawpact.workspace.views.frame import workspace_view
from pawpact.workspace.views.tables import CONTRACT_COLUMNS

PAGE_SIZE = 25
ENDING_SOON_DAYS = 31


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@workspace_view(section="contracts")
def contracts(request):
    params = request.GET
    ending = default_clock.today().toordinal() + ENDING_SOON_DAYS if params.get("ending") == "soon" else None
    rows = contract_list(
        query=params.get("q", ""),
        status=params.get("status", "") if params.get("status") in ContractStatus.values else "",
        plan=params.get("plan", ""),
        standing=params.get("standing", "") if params.get("standing") in CustomerStanding.values else "",
        due_before=_date(params.get("due_before")),
        ending_soon_until=date.fromordinal(ending) if ending else None,
    )
    if params.get("export"):
        return export_response(request, rows, CONTRACT_COLUMNS, name="contracts")
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "filters": params,
        "statuses": ContractStatus.choices,
        "standings": CustomerStanding.choices,
        "plans": Plan.objects.order_by("name").values_list("code", "name"),
    }
    return render(request, "workspace/contracts/list.html", context)


@workspace_view(section="contracts")
def contract_detail(request, uuid):
    return _detail(request, uuid)


def _detail(request, uuid, *, error: DomainError | None = None):
    contract = get_object_or_404(
        Contract.objects.select_related("customer", "pet", "plan_version__plan", "payment_method"), uuid=uuid
    )
    quote = TerminationQuote.objects.filter(contract=contract, pk=request.GET.get("quote") or 0).first()
    context = {
        "contract": contract,
        "calendar": calendar_list(contract=contract),
        "timeline": contract_timeline(contract=contract),
        "in_cooling_off": contract.status == ContractStatus.ACTIVE
        and is_within_cooling_off(contract=contract, clock=default_clock),
        "is_active": contract.status == ContractStatus.ACTIVE,
        "may_withdraw": ContractStatus.WITHDRAWN in CONTRACT_TRANSITIONS.get(contract.status, ()),
        "quote": quote,
        "quote_summary": termination_quote_summary(quote) if quote else "",
        "quote_is_free": quote is not None and quote.kind == TerminationKind.COOLING_OFF,
        "error": " ".join([error.message, *(m for field in error.fields.values() for m in field)]) if error else "",
    }
    return render(request, "workspace/contracts/detail.html", context, status=error.http_status if error else 200)


@require_POST
@workspace_view(Action.CONTRACT_ACT, section="contracts")
def contract_action(request, uuid, action: str):
    """quote → (confirm) terminate; cooling-off cancel; pet loss with evidence; withdraw a
    contract that never started. A refusal answers the page with its status, nothing changed."""
    contract = get_object_or_404(Contract, uuid=uuid)
    try:
        if action == "quote":
            quote = termination_quote(contract=contract)
            return redirect(f"{reverse('workspace:contract_detail', args=[contract.uuid])}?quote={quote.pk}#actions")
        if action == "terminate":
            quote = get_object_or_404(TerminationQuote, pk=request.POST.get("quote"), contract=contract)
            termination_execute(quote=quote, requested_by=request.user)
            if quote.kind == TerminationKind.COOLING_OFF:
                messages.success(request, _("The contract is cancelled free of charge; everything paid is refunded."))
            else:
                messages.success(request, _("The contract is terminated as quoted."))
        elif action == "cooling-off":
            contract_cancel_cooling_off(contract=contract, requested_by=request.user)
            messages.success(request, _("The contract is cancelled in its cooling-off period; everything paid is refunded."))
        elif action == "pet-loss":
            contract_terminate_pet_loss(
                contract=contract, evidence=request.FILES.get("evidence"),
                evidence_note=request.POST.get("evidence_note", ""), requested_by=request.user,
            )  # fmt: skip
            messages.success(request, _("The contract ended without penalty (pet death or loss)."))
        elif action == "withdraw":
            contract_withdraw(contract=contract, requested_by=request.user)
            messages.success(request, _("The contract is withdrawn; a held deposit is refunded."))
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, uuid, error=error)
    return redirect("workspace:contract_detail", uuid=contract.uuid)
