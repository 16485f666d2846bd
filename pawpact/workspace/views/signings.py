"""签约: the signing wizard (customer → pet → plan → credit → link for the customer's phone)
and the signings list. Staff never sign: the customer signs on their own phone."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.models import Contract, CreditConsent
from pawpact.billing.services import credit as credit_services
from pawpact.billing.services.remote_signing import signing_link_issue
from pawpact.billing.services.signing import application_create, application_credit_check
from pawpact.core.errors import DomainError
from pawpact.core.http import client_ip
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, customer_verify_id, pet_create
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.forms import CreditOverrideForm, CustomerCreateForm, PetCreateForm, form_errors_apply
from pawpact.workspace.qr import qr_svg
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.signings import (
    customer_search,
    link_is_live,
    pets_for_signing,
    plans_on_sale,
    signing_list,
    signing_state,
    waiting_schedules_attach,
)
from pawpact.workspace.views.frame import forbidden, workspace_view
from pawpact.workspace.views.tables import SIGNING_COLUMNS

PAGE_SIZE = 25


@workspace_view(section="signings")
def signings(request):
    state, query = request.GET.get("state", ""), request.GET.get("q", "")
    contracts = signing_list(state=state, query=query)
    if request.GET.get("export"):
        return export_response(request, contracts, SIGNING_COLUMNS, name="signings")
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting_schedules_attach(page)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request, "workspace/signings/list.html", {"page": page, "state": state, "q": query, "query": params.urlencode()}
    )


@workspace_view(Action.SIGN, section="signings")
def signing_new(request):
    """Step 1: find the customer by phone or name, or register them."""
    form = CustomerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_create(name=data["name"], phone=data["phone"], birth_date=data["birth_date"],
                                       email=data.get("email", ""))  # fmt: skip
            if data["id_checked"]:
                customer_verify_id(customer=customer, verified=True)
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            return redirect("workspace:signing_pet", customer_uuid=customer.uuid)
    query = request.GET.get("q", "")
    context = {"form": form, "q": query, "found": customer_search(query=query), "step": 1}
    return render(request, "workspace/signings/customer.html", context)


@workspace_view(Action.SIGN, section="signings")
def signing_pet(request, customer_uuid):
    """Step 2: one of the customer's pets, a pet of the shop waiting for adoption, or a new pet."""
    customer = get_object_or_404(Customer, uuid=customer_uuid)
    form = PetCreateForm(request.POST or None)
    if request.method == "POST" and request.POST.get("pet"):
        pet = get_object_or_404(Pet, uuid=request.POST["pet"])
        return redirect("workspace:signing_plan", customer_uuid=customer.uuid, pet_uuid=pet.uuid)
    if request.method == "POST" and form.is_valid():
        try:
            pet = pet_create(owner=customer, **form.cleaned_data)
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            return redirect("workspace:signing_plan", customer_uuid=customer.uuid, pet_uuid=pet.uuid)
    own, adoptable = pets_for_signing(customer=customer)
    context = {"customer": customer, "own": own, "adoptable": adoptable, "form": form, "step": 2}
    return render(request, "workspace/signings/pet.html", context)


@workspace_view(Action.SIGN, section="signings")
def signing_plan(request, customer_uuid, pet_uuid):
    """Step 3: the plan, with its total cost, deposit rule, penalty cap and cooling-off; creates the application."""
    customer = get_object_or_404(Customer, uuid=customer_uuid)
    pet = get_object_or_404(Pet, uuid=pet_uuid)
    error, status = None, 200
    if request.method == "POST":
        try:
            version_id = int(request.POST.get("plan_version", ""))
        except ValueError:
            version_id = None
        try:
            contract = application_create(
                customer=customer, pet=pet, plan_version_id=version_id, created_by=request.user
            )
        except DomainError as failure:
            error, status = failure.message, failure.http_status
        else:
            return redirect("workspace:signing_credit", uuid=contract.uuid)
    # An approved adoption application arrives with the listing's suggested plan chosen.
    preselect = int(request.GET["plan"]) if request.GET.get("plan", "").isdigit() else None
    context = {"customer": customer, "pet": pet, "versions": plans_on_sale(), "error": error, "step": 3, "preselect": preselect}
    return render(request, "workspace/signings/plan.html", context, status=status)


@workspace_view(Action.SIGN, section="signings")
def signing_credit(request, uuid):
    """Step 4: the credit check (provider), or a staff score with a reason (managers and owners)."""
    contract = get_object_or_404(Contract.objects.select_related("customer", "pet", "plan_version__plan"), uuid=uuid)
    may_override = role_allows(request.workspace_role, Action.CREDIT_OVERRIDE)
    override = request.POST.get("action") == "override"
    form = CreditOverrideForm(request.POST if override else None)
    error, status = None, 200
    if request.method == "POST":
        if override and not may_override:
            return forbidden(request, _("Only a manager or the owner can enter a credit score."))
        if not override or form.is_valid():
            try:
                if override:
                    credit_services.credit_record_staff_score(
                        contract=contract, score=form.cleaned_data["score"], evidence=form.cleaned_data["reason"],
                        staff=request.user,
                    )  # fmt: skip
                else:
                    _consent_at_the_counter(request, contract)
                    application_credit_check(contract=contract)
            except DomainError as failure:
                form_errors_apply(form, failure) if override else None
                error, status = (None if override else failure.message), failure.http_status
            else:
                return redirect("workspace:signing_detail", uuid=contract.uuid)
    context = {"contract": contract, "form": form, "may_override": may_override, "error": error, "step": 4,
               "consent": CreditConsent.objects.filter(contract=contract).select_related("witnessed_by").first(),
               "consent_text": credit_services.credit_consent_text(shop_name=request.tenant.name)}  # fmt: skip
    return render(request, "workspace/signings/credit.html", context, status=status)


def _consent_at_the_counter(request, contract) -> None:
    """The applicant agreed, in front of the staff member, to the wording the page showed."""
    if request.POST.get("consent") == "yes":
        credit_services.credit_consent_record(
            contract=contract, user=request.user, shop_name=request.tenant.name, ip=client_ip(request) or "",
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )  # fmt: skip


@workspace_view(Action.SIGN, section="signings")
def signing_detail(request, uuid):
    """Step 5: the link and QR code for the customer's phone, and the steps as they arrive."""
    return _signing_detail(request, uuid)


def _signing_detail(request, uuid, status: int = 200):
    contract = get_object_or_404(Contract.objects.select_related("customer", "pet", "plan_version__plan"), uuid=uuid)
    state = signing_state(contract=contract)
    link = state.link if link_is_live(state.link) else None
    url = request.build_absolute_uri(reverse("signing_page", args=[link.token])) if link else ""
    context = {"contract": contract, "state": state, "link": link, "url": url, "qr": qr_svg(url) if url else "", "step": 5}
    return render(request, "workspace/signings/detail.html", context, status=status)


@workspace_view(Action.SIGN, section="signings")
def signing_steps(request, uuid):
    """The live part of the signing page, polled by htmx until the contract starts."""
    contract = get_object_or_404(Contract, uuid=uuid)
    return render(request, "workspace/signings/_steps.html", {"contract": contract, "state": signing_state(contract=contract)})


@require_POST
@workspace_view(Action.SIGN, section="signings")
def signing_link_new(request, uuid):
    contract = get_object_or_404(Contract, uuid=uuid)
    try:
        signing_link_issue(contract=contract, staff=request.user)
    except DomainError as error:
        messages.error(request, error.message)  # shown on the page answered with the refusal's status
        return _signing_detail(request, uuid, status=error.http_status)
    return HttpResponseRedirect(reverse("workspace:signing_detail", args=[contract.uuid]))
