"""顾客与宠物: the customer list (filters, search, exports) and the customer page (contracts, pets,
messages), with corrections of the phone and of a pet's owner."""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.billing.models import Contract
from pawpact.core.errors import DomainError
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import customer_update, pet_owner_change, phone_normalize
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.messaging.models import Message
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.customers import SEGMENTS, customer_list
from pawpact.workspace.views.frame import forbidden, workspace_view
from pawpact.workspace.views.tables import CUSTOMER_COLUMNS

PAGE_SIZE = 25
SEGMENT_LABELS = {
    "new": gettext_lazy("New (no plan yet)"),
    "active": gettext_lazy("In a plan"),
    "overdue": gettext_lazy("Overdue"),
    "ended": gettext_lazy("Plan ended"),
}


class CustomerEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=32)
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254, required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of messages"), required=False,
        choices=[("", gettext_lazy("The shop's default")), *settings.LANGUAGES],
    )  # fmt: skip


@workspace_view(section="customers")
def customers(request):
    params = request.GET
    rows = customer_list(
        query=params.get("q", ""),
        standing=params.get("standing", "") if params.get("standing") in CustomerStanding.values else "",
        segment=params.get("segment", "") if params.get("segment") in SEGMENTS else "",
    )
    if params.get("export"):
        return export_response(request, rows, CUSTOMER_COLUMNS, name="customers")
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "filters": params,
        "standings": CustomerStanding.choices,
        "segments": list(SEGMENT_LABELS.items()),
    }
    return render(request, "workspace/customers/list.html", context)


@workspace_view(section="customers")
def customer_detail(request, uuid):
    customer = get_object_or_404(Customer, uuid=uuid)
    form = CustomerEditForm(request.POST or None, initial={
        "name": customer.name, "phone": customer.phone, "email": customer.email, "language": customer.language,
    })  # fmt: skip
    if request.method == "POST":
        if not _may(request, Action.CUSTOMER_EDIT):
            return forbidden(request)
        if form.is_valid():
            try:
                customer_update(customer=customer, **form.cleaned_data)
            except DomainError as error:
                form_errors_apply(form, error)
            else:
                messages.success(request, _("The customer's details are saved."))
                return redirect("workspace:customer_detail", uuid=uuid)
    context = {
        "customer": customer,
        "form": form,
        "contracts": Contract.objects.filter(customer=customer).select_related("pet", "plan_version__plan"),
        "pets": Pet.objects.filter(owner=customer),
        "messages_sent": Message.objects.filter(customer=customer)[:30],
        "winbacks": WinBackOffer.objects.filter(customer=customer).order_by("-sent_at"),
        "surveys": SurveyResponse.objects.filter(contract__customer=customer, answered_at__isnull=False),
    }
    return render(request, "workspace/customers/detail.html", context)


def _may(request, action: Action) -> bool:
    return role_allows(request.workspace_role, action)


@require_POST
@workspace_view(Action.CUSTOMER_EDIT, section="customers")
def pet_transfer(request, uuid):
    """Give the pet to the customer with the phone number entered."""
    pet = get_object_or_404(Pet.objects.select_related("owner"), uuid=uuid)
    phone = request.POST.get("phone", "").strip()
    owner = Customer.objects.filter(phone=phone_normalize(phone) or phone).first() if phone else None
    try:
        if not phone:
            raise DomainError(_("Enter the new owner's phone number."))
        if owner is None:
            raise DomainError(_("No customer has this phone number."))
        pet_owner_change(pet=pet, owner=owner)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("workspace:customer_detail", uuid=pet.owner.uuid) if pet.owner else redirect("workspace:customers")
    messages.success(request, _("%(pet)s now belongs to %(name)s.") % {"pet": pet.name, "name": owner.name})
    return redirect("workspace:customer_detail", uuid=owner.uuid)
