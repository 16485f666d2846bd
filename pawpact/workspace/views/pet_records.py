"""One pet's archive entries for staff: correct or delete a wrong vaccine, deworming,
check-up or weight, and hand the health record on as a PDF or a read-only link.

Entries are found through the pet of this shop's schema only: another shop's pet, or an
entry of another pet, is a 404."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care import pet_selectors as selectors
from pawpact.care.health_pdf import pet_health_pdf
from pawpact.care.pet_forms import RecordForm, WeightForm
from pawpact.care.pet_models import HealthRecord, PetWeight
from pawpact.care.pet_pages import SHARE_DAYS, health_share_url
from pawpact.care.services import pet_archive
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.workspace.enums import Action
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.views.frame import workspace_view


def _pet(uuid):
    return get_object_or_404(selectors.pets_with_archive(staff=True), uuid=uuid)


def _entry(pet, kind: str, entry_id: int):
    model = HealthRecord if kind == "record" else PetWeight
    return get_object_or_404(model, pk=entry_id, pet=pet)


def _initial(entry) -> dict:
    if isinstance(entry, HealthRecord):
        return {"kind": entry.kind, "done_on": entry.done_on, "product": entry.product, "next_due": entry.next_due,
                "clinic": entry.clinic}  # fmt: skip
    return {"measured_on": entry.measured_on, "weight_kg": f"{entry.grams / 1000:g}"}


def _save(entry, data: dict) -> None:
    if isinstance(entry, HealthRecord):
        pet_archive.health_record_update(record=entry, **data)
    else:
        grams = pet_archive.kilograms_to_grams(data["weight_kg"])
        pet_archive.pet_weight_update(weight=entry, measured_on=data["measured_on"], grams=grams)


@workspace_view(Action.CUSTOMER_EDIT, section="pets")
def pet_entry_edit(request, uuid, kind: str, entry_id: int):
    """Correct one entry; the same rules as a new one, nothing saved when one fails."""
    pet = _pet(uuid)
    entry = _entry(pet, kind, entry_id)
    form_class = RecordForm if kind == "record" else WeightForm
    form = form_class(request.POST or None, initial=_initial(entry))
    if request.method == "POST" and form.is_valid():
        try:
            _save(entry, form.cleaned_data)
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:pet_archive", uuid=pet.uuid)
    context = {"pet": pet, "entry": entry, "kind": kind, "form": form}
    return render(request, "workspace/pets/entry_edit.html", context, status=400 if form.errors else 200)


@require_POST
@workspace_view(Action.CUSTOMER_EDIT, section="pets")
def pet_entry_delete(request, uuid, kind: str, entry_id: int):
    pet = _pet(uuid)
    entry = _entry(pet, kind, entry_id)
    if kind == "record":
        pet_archive.health_record_remove(record=entry)
    else:
        pet_archive.pet_weight_remove(weight=entry)
    messages.success(request, _("Deleted."))
    return redirect("workspace:pet_archive", uuid=pet.uuid)


@workspace_view(section="pets")
def pet_health_pdf_staff(request, uuid):
    pet = _pet(uuid)
    return attachment(pet_health_pdf(pet, shop_name=request.tenant.name), content_type="application/pdf",
                      filename=f"health-record-{pet.uuid}.pdf")  # fmt: skip


@require_POST
@workspace_view(section="pets")
def pet_health_share_staff(request, uuid):
    """A read-only link for a vet or a new owner, valid SHARE_DAYS, like the one customers make."""
    pet = _pet(uuid)
    context = {"pet": pet, "url": health_share_url(request, pet), "days": SHARE_DAYS}
    return render(request, "workspace/pets/share.html", context)
