"""The customer's pet pages (My pets, a pet's archive, its health record as PDF or a
shared read-only link, a guarantee claim) and the public adoption pages of the shop host.

A customer reaches only their own pets (anyone else's answers 404). A shared link is a
signed token naming the pet, valid for SHARE_DAYS: whoever holds it reads the record
without logging in and cannot change anything.
"""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.care import pet_selectors as selectors
from pawpact.care.health_pdf import pet_health_pdf
from pawpact.care.pet_forms import ApplicationForm, ClaimForm, PhotoForm, RecordForm, WeightForm, errors_apply
from pawpact.care.pet_models import PetPhoto
from pawpact.care.services import adoptions, guarantee, pet_archive
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.customers.models import Customer

SHARE_DAYS = 7
SHARE_SALT = "pawpact.care.health-share"


def health_share_url(request, pet) -> str:
    """A link anyone may open for SHARE_DAYS to read the pet's health record (owner or staff made it)."""
    token = signing.TimestampSigner(salt=SHARE_SALT).sign(str(pet.uuid))
    return request.build_absolute_uri(reverse("care:shared_health", args=[token]))


def _customer(request) -> Customer | None:
    return Customer.objects.filter(user=request.user).first()


def _own_pet(request, uuid):
    return get_object_or_404(selectors.pets_with_archive(owner=_customer(request)), uuid=uuid)


@login_required(login_url="account_login")
def my_pets(request):
    pets = selectors.pets_with_archive(owner=_customer(request)).order_by("name", "id")
    return render(request, "care/my_pets.html", {"shop": request.tenant, "pets": pets})


def _archive_post(request, pet):
    """Apply the posted form (weight, record or photo); the forms with their errors."""
    forms = {"weight": WeightForm(), "record": RecordForm(), "photo": PhotoForm()}
    kind = request.POST.get("form")
    if kind not in forms:
        return forms, False
    form = {"weight": WeightForm, "record": RecordForm, "photo": PhotoForm}[kind](request.POST, request.FILES)
    forms[kind] = form
    if not form.is_valid():
        return forms, False
    data = form.cleaned_data
    try:
        if kind == "weight":
            grams = pet_archive.kilograms_to_grams(data["weight_kg"])
            pet_archive.pet_weight_record(pet=pet, measured_on=data["measured_on"], grams=grams)
        elif kind == "record":
            pet_archive.health_record_add(pet=pet, by=request.user, **data)
        else:
            pet_archive.pet_photos_add(pet=pet, photos=[data["photo"]])
    except DomainError as error:
        errors_apply(form, error)
        return forms, False
    return forms, True


@login_required(login_url="account_login")
def my_pet(request, uuid):
    pet = _own_pet(request, uuid)
    forms, saved = _archive_post(request, pet) if request.method == "POST" else ({"weight": WeightForm(), "record": RecordForm(), "photo": PhotoForm()}, False)
    if saved:
        messages.success(request, _("Saved."))
        return redirect("care:my_pet", uuid=pet.uuid)
    invalid = request.method == "POST"
    context = {"shop": request.tenant, "pet": pet, "forms": forms, "window_end": guarantee.guarantee_window_end(pet),
               "claims": selectors.guarantee_claims(customer=_customer(request)).filter(pet=pet)}
    return render(request, "care/my_pet.html", context, status=400 if invalid else 200)


@login_required(login_url="account_login")
def my_pet_pdf(request, uuid):
    pet = _own_pet(request, uuid)
    return attachment(pet_health_pdf(pet, shop_name=request.tenant.name), content_type="application/pdf",
                      filename=f"health-record-{pet.uuid}.pdf")


@login_required(login_url="account_login")
@require_POST
def my_pet_share(request, uuid):
    pet = _own_pet(request, uuid)
    context = {"shop": request.tenant, "pet": pet, "url": health_share_url(request, pet), "days": SHARE_DAYS}
    return render(request, "care/my_pet_share.html", context)


def shared_health(request, token):
    try:
        pet_uuid = signing.TimestampSigner(salt=SHARE_SALT).unsign(token, max_age=timedelta(days=SHARE_DAYS))
    except signing.SignatureExpired:
        return render(request, "care/shared_expired.html", {"shop": request.tenant, "expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "care/shared_expired.html", {"shop": request.tenant, "expired": False}, status=404)
    pet = get_object_or_404(selectors.pets_with_archive(staff=True), uuid=pet_uuid)
    return render(request, "care/shared_health.html", {"shop": request.tenant, "pet": pet, "shared": True})


@login_required(login_url="account_login")
def my_pet_photo(request, uuid, photo_id):
    pet = _own_pet(request, uuid)
    return _photo(get_object_or_404(PetPhoto, pk=photo_id, pet=pet))


def _photo(photo: PetPhoto):
    try:
        return FileResponse(photo.image.open("rb"))
    except FileNotFoundError as missing:
        raise Http404 from missing


@login_required(login_url="account_login")
def my_pet_claim(request, uuid):
    pet = _own_pet(request, uuid)
    conditions = guarantee.guarantee_settings_get().conditions
    form = ClaimForm(request.POST or None, request.FILES or None, conditions=conditions)
    if request.method == "POST" and form.is_valid():
        try:
            guarantee.guarantee_claim_submit(pet=pet, customer=_customer(request), **form.cleaned_data)
        except DomainError as error:
            errors_apply(form, error)
        else:
            messages.success(request, _("Your claim is with the shop. They will decide on a replacement or a refund."))
            return redirect("care:my_pet", uuid=pet.uuid)
    context = {"shop": request.tenant, "pet": pet, "form": form, "window_end": guarantee.guarantee_window_end(pet),
               "window_days": guarantee.guarantee_settings_get().window_days}
    return render(request, "care/my_pet_claim.html", context, status=400 if form.errors else 200)


def adopt_list(request):
    listings = selectors.listings_public().order_by("-listed_at", "-id")
    return render(request, "care/adopt_list.html", {"shop": request.tenant, "listings": listings})


def adopt_detail(request, uuid):
    listing = selectors.listings_public().filter(uuid=uuid).first()
    if listing is None:
        return _adopt_closed(request, uuid)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = _customer(request) if request.user.is_authenticated else None
        try:
            adoptions.adoption_application_submit(listing=listing, values=form.cleaned_data, customer=customer)
        except DomainError as error:
            errors_apply(form, error)
        else:
            return render(request, "care/adopt_thanks.html", {"shop": request.tenant, "listing": listing})
    context = {"shop": request.tenant, "listing": listing, "pet": listing.pet, "form": form}
    return render(request, "care/adopt_detail.html", context, status=400 if form.errors else 200)


def _adopt_closed(request, uuid):
    """A shared link to a pet that found a home (or was withdrawn): say so, and show who still waits."""
    listing = selectors.listing_closed(uuid=uuid)
    if listing is None:
        raise Http404
    others = selectors.listings_public().order_by("-listed_at")[:3]
    context = {"shop": request.tenant, "listing": listing, "others": others}
    return render(request, "care/adopt_closed.html", context, status=410)


def adopt_photo(request, photo_id):
    """A listed pet's photo, for every visitor; photos of pets not listed stay private."""
    photo = get_object_or_404(PetPhoto, pk=photo_id, pet__in=selectors.listings_public().values("pet"))
    return _photo(photo)
