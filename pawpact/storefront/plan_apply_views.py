"""Applying for a plan from its page: the customer names the pet it is for (one of their own,
or a pet they add here) and the shop receives a draft contract for that plan, which it confirms
and sends a signing link for. Adopting one of the shop's pets stays on the adoption pages."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.billing.enums import OPEN_CONTRACT_STATUSES
from pawpact.billing.models import Contract, Plan
from pawpact.billing.services.signing import application_create
from pawpact.core.errors import DomainError
from pawpact.customers.enums import Species
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import pet_create

NEW_PET = "new"


class PlanApplyForm(forms.Form):
    pet = forms.ChoiceField(label=gettext_lazy("Which pet is the plan for?"), widget=forms.RadioSelect)
    pet_name = forms.CharField(label=gettext_lazy("Your pet's name"), max_length=80, required=False)
    species = forms.ChoiceField(label=gettext_lazy("Species"), choices=Species.choices, required=False)

    def __init__(self, *args, pets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pet"].choices = [(str(pet.uuid), pet.name) for pet in pets] + [
            (NEW_PET, _("Another pet of mine (add it below)"))]  # fmt: skip
        if not pets:
            self.fields["pet"].initial = NEW_PET

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pet") == NEW_PET and not cleaned.get("pet_name", "").strip():
            self.add_error("pet_name", _("Give your pet's name."))
        if cleaned.get("pet") == NEW_PET and not cleaned.get("species"):
            self.add_error("species", _("Choose the species."))
        return cleaned


def _free_pets(customer: Customer) -> list[Pet]:
    """The customer's pets that no open contract covers yet."""
    busy = Contract.objects.filter(status__in=OPEN_CONTRACT_STATUSES).values("pet_id")
    return list(Pet.objects.filter(owner=customer).exclude(pk__in=busy).order_by("name"))


def _apply(*, customer: Customer, user, version_id: int, data: dict, pets: list[Pet]) -> Contract:
    """The pet (added here if new) and its draft contract together, or neither."""
    with transaction.atomic():
        if data["pet"] == NEW_PET:
            pet = pet_create(owner=customer, name=data["pet_name"].strip(), species=data["species"])
        else:
            pet = next(pet for pet in pets if str(pet.uuid) == data["pet"])
        return application_create(customer=customer, pet=pet, plan_version_id=version_id, created_by=user,
                                  metadata={"source": "storefront_plan_page"})  # fmt: skip


@login_required(login_url="account_login")
def plan_apply(request, code: str):
    plan = get_object_or_404(Plan, code=code, is_active=True)
    version = plan.versions.order_by("-version").first()
    customer = Customer.objects.filter(user=request.user).first()
    if customer is None or version is None:
        raise Http404
    pets = _free_pets(customer)
    form = PlanApplyForm(request.POST or None, pets=pets)
    if request.method == "POST" and form.is_valid():
        try:
            _apply(customer=customer, user=request.user, version_id=version.pk, data=form.cleaned_data, pets=pets)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Application sent. The shop confirms it and sends you a signing link."))
            return redirect("my_contracts")
    return render(request, "storefront/shop/plan_apply.html", {
        "shop": request.tenant, "plan": plan, "version": version, "form": form},
        status=400 if form.errors else 200)  # fmt: skip
