"""Pets & adoptions, the pet half: every pet's archive (profile, weights, records, photos)
and the health guarantee's claims with the staff's decisions."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care import pet_selectors as selectors
from pawpact.care.pet_forms import PhotoForm, RecordForm, WeightForm
from pawpact.care.pet_models import GuaranteeClaim, PetPhoto
from pawpact.care.services import guarantee, pet_archive
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.pet_forms import ClaimDecisionForm, GuaranteeSettingsForm, PetProfileForm, ReasonForm
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import forbidden, workspace_view
from pawpact.workspace.views.pet_tables import CLAIM_COLUMNS, PET_COLUMNS

PAGE_SIZE = 25
ARCHIVE_FORMS = {"profile": PetProfileForm, "weight": WeightForm, "record": RecordForm, "photo": PhotoForm}


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@workspace_view(section="pets")
def pets(request):
    q = request.GET.get("q", "").strip()
    rows = selectors.pets_with_archive(staff=True).order_by("-id")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(owner__name__icontains=q) | Q(owner__phone__contains=q) | Q(microchip=q))
    if request.GET.get("export"):
        return export_response(request, rows, PET_COLUMNS, name="pets")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/pets/list.html", {"page": page, "q": q, "query": _query(request)})


def _archive_save(request, pet, kind, form) -> None:
    data = form.cleaned_data
    if kind == "profile":
        pet_archive.pet_profile_update(pet=pet, changes=data)
    elif kind == "weight":
        grams = pet_archive.kilograms_to_grams(data["weight_kg"])
        pet_archive.pet_weight_record(pet=pet, measured_on=data["measured_on"], grams=grams)
    elif kind == "record":
        pet_archive.health_record_add(pet=pet, by=request.user, **data)
    else:
        pet_archive.pet_photos_add(pet=pet, photos=[data["photo"]])


@workspace_view(section="pets")
def pet_archive_page(request, uuid):
    pet = get_object_or_404(selectors.pets_with_archive(staff=True), uuid=uuid)
    profile = {name: getattr(pet, name) for name in PetProfileForm.base_fields}
    forms = {kind: cls(initial=profile if kind == "profile" else None) for kind, cls in ARCHIVE_FORMS.items()}
    kind = request.POST.get("form")
    if request.method == "POST" and kind in ARCHIVE_FORMS:
        if not role_allows(request.workspace_role, Action.CUSTOMER_EDIT):
            return forbidden(request)
        form = forms[kind] = ARCHIVE_FORMS[kind](request.POST, request.FILES)
        if form.is_valid():
            try:
                _archive_save(request, pet, kind, form)
            except DomainError as error:
                form_errors_apply(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("workspace:pet_archive", uuid=pet.uuid)
    status = 400 if request.method == "POST" else 200
    context = {"pet": pet, "forms": forms, "may_edit": role_allows(request.workspace_role, Action.CUSTOMER_EDIT)}
    return render(request, "workspace/pets/archive.html", context, status=status)


@workspace_view(section="pets")
def pet_photo(request, photo_id):
    photo = get_object_or_404(PetPhoto, pk=photo_id)
    try:
        return FileResponse(photo.image.open("rb"))
    except FileNotFoundError as missing:
        raise Http404 from missing


@workspace_view(section="pets")
def claims(request):
    status = request.GET.get("status", "")
    rows = selectors.guarantee_claims(staff=True, status=status)
    if request.GET.get("export"):
        return export_response(request, rows, CLAIM_COLUMNS, name="guarantee-claims")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    settings = guarantee.guarantee_settings_get()
    settings_form = GuaranteeSettingsForm(initial={"window_days": settings.window_days, "conditions": "\n".join(settings.conditions)})
    context = {"page": page, "status": status, "query": _query(request), "decide": ClaimDecisionForm(),
               "decline": ReasonForm(), "settings_form": settings_form}
    return render(request, "workspace/pets/claims.html", context)


@require_POST
@workspace_view(Action.CONTRACT_ACT, section="pets")
def claim_decide(request, uuid):
    claim = get_object_or_404(GuaranteeClaim, uuid=uuid)
    form = ClaimDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Some fields are invalid."))
        data = form.cleaned_data
        guarantee.guarantee_claim_decide(claim=claim, outcome=data["outcome"], staff=request.user, note=data["note"],
                                         replacement_pet=data["replacement_pet"])  # fmt: skip
    except DomainError as error:
        messages.error(request, sentences_join(sum(error.fields.values(), [])) or error.message)
    else:
        messages.success(request, _("Claim decided; the plan ended without penalty."))
    return redirect("workspace:pet_claims")


@require_POST
@workspace_view(Action.CONTRACT_ACT, section="pets")
def claim_decline(request, uuid):
    claim = get_object_or_404(GuaranteeClaim, uuid=uuid)
    try:
        guarantee.guarantee_claim_decline(claim=claim, reason=request.POST.get("reason", ""), staff=request.user)
    except DomainError as error:
        messages.error(request, sentences_join(sum(error.fields.values(), [])) or error.message)
    else:
        messages.success(request, _("Claim declined; the customer sees your reason."))
    return redirect("workspace:pet_claims")


@workspace_view(section="pets")
def claim_evidence(request, uuid):
    claim = get_object_or_404(GuaranteeClaim, uuid=uuid)
    try:
        return FileResponse(claim.evidence.open("rb"), as_attachment=True)
    except FileNotFoundError as missing:
        raise Http404 from missing


@require_POST
@workspace_view(Action.SETTINGS, section="pets")
def guarantee_settings(request):
    form = GuaranteeSettingsForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Some fields are invalid."))
        guarantee.guarantee_settings_update(window_days=form.cleaned_data["window_days"],
                                            conditions=form.cleaned_data["conditions"].splitlines())  # fmt: skip
    except DomainError as error:
        messages.error(request, sentences_join(sum(error.fields.values(), [])) or error.message)
    else:
        messages.success(request, _("Guarantee saved."))
    return redirect("workspace:pet_claims")
