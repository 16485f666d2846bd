"""合同: the list (filters, search, exports) and the contract page with its timeline and actions.

Every action goes through a billing service and asks for confirmation first; ending a
contract shows the quote before anything is charged (inside the cooling-off period the
quote is the free cancellation). A refused action shows the contract page again with the
service's message and its status: 409 for a move the contract's state machine refuses.
"""
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pawpact.billing.activation_schedule import activation_schedule_text, waiting_schedule
from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.enums import ContractStatus, TerminationKind
from pawpact.billing.models import Contract, PetLossReport, Plan, Termination, TerminationQuote
from pawpact.billing.selectors import calendar_list, contract_in_cooling_off
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.core.text import sentences_join
from pawpact.customers.enums import CustomerStanding
from pawpact.workspace.contract_actions import CONTRACT_ACTIONS, contract_action_state
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.contracts import contract_list
from pawpact.workspace.selectors.signings import waiting_schedules_attach
from pawpact.workspace.selectors.timeline import contract_facts, contract_timeline
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
    waiting_schedules_attach(page)
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
    is_active = contract.status == ContractStatus.ACTIVE
    facts = contract_facts(contract=contract)
    quote_id = request.GET.get("quote", "")
    quote = TerminationQuote.objects.filter(contract=contract, pk=quote_id).first() if quote_id.isdigit() else None
    schedule = waiting_schedule(contract)
    context = {
        "contract": contract,
        "schedule": schedule,
        "schedule_text": activation_schedule_text(schedule, after_colon=True) if schedule else "",
        "calendar": calendar_list(contract=contract),
        "timeline": contract_timeline(contract=contract, facts=facts),
        "in_cooling_off": contract_in_cooling_off(contract),
        "is_active": is_active,
        "quote": quote,
        "quote_is_free": quote is not None and quote.kind == TerminationKind.COOLING_OFF,
        "may_act": role_allows(request.workspace_role, Action.CONTRACT_ACT),
        **(contract_action_state(contract=contract, facts=facts) if is_active else {}),
    }
    return render(request, "workspace/contracts/detail.html", context, status=error.http_status if error else 200)


@require_POST
@workspace_view(Action.CONTRACT_ACT, section="contracts")
def contract_action(request, uuid, action: str):
    """One action of the contract page (each asked to confirm on the page first)."""
    contract = get_object_or_404(Contract.objects.select_related("customer"), uuid=uuid)
    handler = CONTRACT_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        response = handler(request, contract)
    except DomainError as error:
        details = [message for field in error.fields.values() for message in field]
        messages.error(request, sentences_join([error.message, *details]))
        return _detail(request, contract.uuid, error=error)
    return response or redirect(f"{reverse('workspace:contract_detail', args=[contract.uuid])}#actions")


@workspace_view(section="contracts")
def contract_agreement(request, uuid):
    """The signed agreement as PDF (the text the customer confirmed with the SMS code)."""
    contract = get_object_or_404(Contract, uuid=uuid, signed_at__isnull=False)
    return attachment(agreement_pdf(contract), content_type="application/pdf", filename=f"agreement-{contract.uuid}.pdf")


@workspace_view(section="contracts")
def contract_evidence(request, uuid, source: str):
    """The pet-loss evidence: of the customer's open report, or of the ended contract."""
    contract = get_object_or_404(Contract, uuid=uuid)
    if source == "report":
        holder = PetLossReport.objects.filter(contract=contract).exclude(evidence="").first()
    else:
        holder = Termination.objects.filter(contract=contract).exclude(evidence="").first()
    if holder is None:
        raise Http404
    return FileResponse(holder.evidence.open("rb"), as_attachment=True, filename=holder.evidence.name.rsplit("/", 1)[-1])
