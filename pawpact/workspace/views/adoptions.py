"""Pets & adoptions, the adoption half: listings (the shop's pets offered on its public
pages) and the visitors' applications. Approving one reserves the pet and opens the
signing wizard with the applicant, the pet and the suggested plan chosen."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.models import Plan
from pawpact.care import pet_selectors as selectors
from pawpact.care.pet_enums import ListingStatus
from pawpact.care.pet_models import AdoptionApplication, AdoptionListing
from pawpact.care.services import adoptions
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_create, pet_create, phone_normalize
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.forms import PetCreateForm, form_errors_apply
from pawpact.workspace.pet_forms import ApproveForm, ListingForm, ReasonForm
from pawpact.workspace.views.frame import workspace_view
from pawpact.workspace.views.pet_tables import APPLICATION_COLUMNS, LISTING_COLUMNS

PAGE_SIZE = 25


def _listing_form(data=None, pet: str = "") -> ListingForm:
    open_pets = AdoptionListing.objects.filter(status__in=[ListingStatus.LISTED, ListingStatus.RESERVED]).values("pet")
    pets = Pet.objects.filter(owner__isnull=True).exclude(pk__in=open_pets).order_by("name")
    chosen = pets.filter(uuid=pet).first() if pet else None
    return ListingForm(data, pets=pets, plans=Plan.objects.order_by("name"), initial={"pet": chosen})


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@workspace_view(section="pets")
def listings(request):
    status = request.GET.get("status", "")
    rows = selectors.listings_all(status=status)
    if request.GET.get("export"):
        return export_response(request, rows, LISTING_COLUMNS, name="adoption-listings")
    form = _listing_form(request.POST or None, pet=request.GET.get("pet", ""))
    if request.method == "POST" and form.is_valid():
        try:
            listing = adoptions.adoption_listing_create(pet=form.cleaned_data["pet"], values=form.values())
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            page_url = reverse("care:adopt_detail", kwargs={"uuid": listing.uuid})
            messages.success(request, format_html('{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                                                  _("The pet is on your public adoption page."), page_url, _("See the page")))  # fmt: skip
            return redirect("workspace:pet_listings")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "query": _query(request), "form": form, "pet_form": PetCreateForm(),
               "statuses": ListingStatus.choices, "public_url": reverse("care:adopt_list")}
    return render(request, "workspace/pets/listings.html", context, status=400 if form.errors else 200)


@workspace_view(Action.SIGN, section="pets")
def shop_pet_new(request):
    """Register a pet of the shop itself (no owner yet), so that it can be listed for adoption."""
    form = PetCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pet = pet_create(owner=None, **form.cleaned_data)
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("%(pet)s is registered as a shop pet. List it for adoption below.") % {"pet": pet.name})
            return redirect(f"{reverse('workspace:pet_listings')}?pet={pet.uuid}#list")
    return render(request, "workspace/pets/shop_pet_new.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@workspace_view(Action.SIGN, section="pets")
def listing_withdraw(request, uuid):
    try:
        adoptions.adoption_listing_withdraw(listing=get_object_or_404(AdoptionListing, uuid=uuid))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn from the public page."))
    return redirect("workspace:pet_listings")


@workspace_view(section="pets")
def applications(request):
    status = request.GET.get("status", "submitted")
    rows = selectors.applications_queue(status=status)
    if request.GET.get("export"):
        return export_response(request, rows, APPLICATION_COLUMNS, name="adoption-applications")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "query": _query(request), "approve": ApproveForm(), "decline": ReasonForm()}
    return render(request, "workspace/pets/applications.html", context)


def _applicant(application: AdoptionApplication, birth_date) -> Customer:
    """The applicant's customer record: found by phone, else registered (needs a birth date)."""
    phone = phone_normalize(application.phone) or application.phone
    found = application.customer or Customer.objects.filter(phone=phone).first()
    if found is not None:
        return found
    if birth_date is None:
        raise DomainError(_("The applicant is not a customer yet: enter their date of birth."), fields={"birth_date": [_("Enter a date.")]})
    return customer_create(name=application.name, phone=application.phone, birth_date=birth_date)


@require_POST
@workspace_view(Action.SIGN, section="pets")
def application_approve(request, uuid):
    application = get_object_or_404(AdoptionApplication.objects.select_related("listing__pet", "listing__suggested_plan"), uuid=uuid)
    form = ApproveForm(request.POST)
    try:
        birth_date = form.cleaned_data["birth_date"] if form.is_valid() else None
        customer = _applicant(application, birth_date)
        adoptions.adoption_application_approve(application=application, customer=customer, staff=request.user)
    except DomainError as error:
        messages.error(request, sentences_join(sum(error.fields.values(), [])) or error.message)
        return redirect("workspace:pet_applications")
    messages.success(request, _("Approved: the pet is reserved. Choose the plan and sign with the adopter."))
    url = reverse("workspace:signing_plan", args=[customer.uuid, application.listing.pet.uuid])
    plan = application.listing.suggested_plan
    return redirect(f"{url}?plan={plan.pk}" if plan else url)


@require_POST
@workspace_view(Action.SIGN, section="pets")
def application_decline(request, uuid):
    application = get_object_or_404(AdoptionApplication, uuid=uuid)
    try:
        adoptions.adoption_application_decline(application=application, reason=request.POST.get("reason", ""), staff=request.user)
    except DomainError as error:
        messages.error(request, sentences_join(sum(error.fields.values(), [])) or error.message)
    else:
        messages.success(request, _("Declined; the applicant is told your reason."))
    return redirect("workspace:pet_applications")
