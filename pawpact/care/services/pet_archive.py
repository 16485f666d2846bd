"""The pet archive: profile, weights, vaccine/deworming/check-up records and photos.

Staff and the pet's owner write through the same functions; who may touch which pet is
decided by the caller (a customer reaches only their own pets through selectors).
Weights are entered in kilograms and stored in grams.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.care.errors import PetRecordInvalid, UploadInvalid
from pawpact.care.pet_enums import HealthRecordKind
from pawpact.care.pet_models import HealthRecord, PetPhoto, PetWeight
from pawpact.care.uploads import uploads_errors
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.enums import Sex, Species
from pawpact.customers.models import Pet

MAX_PHOTOS_PER_UPLOAD = 6
PROFILE_FIELDS = ("name", "species", "breed", "sex", "birthday", "adoption_date", "allergies", "microchip")


def _invalid(fields: dict) -> PetRecordInvalid:
    return PetRecordInvalid(_("Some fields are invalid."), fields=fields)


def _not_future(value: date | None, today: date, field: str, errors: dict) -> None:
    if value is not None and value > today:
        errors[field] = [_("This date is in the future.")]


@transaction.atomic
def pet_profile_update(*, pet: Pet, changes: dict, clock: Clock = default_clock) -> Pet:
    """Change the pet's profile; dates may not lie in the future, the name may not be blank."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    errors: dict[str, list[str]] = {name: [_("Unknown field.")] for name in unknown}
    today = clock.today()
    if "name" in changes and not str(changes["name"] or "").strip():
        errors["name"] = [_("Give the pet a name.")]
    if "species" in changes and changes["species"] not in Species.values:
        errors["species"] = [_("Choose a species.")]
    if "sex" in changes and changes["sex"] not in Sex.values:
        errors["sex"] = [_("Choose one.")]
    _not_future(changes.get("birthday"), today, "birthday", errors)
    _not_future(changes.get("adoption_date"), today, "adoption_date", errors)
    birthday = changes.get("birthday", pet.birthday)
    adopted = changes.get("adoption_date", pet.adoption_date)
    if birthday and adopted and adopted < birthday and "adoption_date" not in errors:
        errors["adoption_date"] = [_("The pet was adopted before it was born.")]
    if errors:
        raise _invalid(errors)
    for name, value in changes.items():
        setattr(pet, name, value.strip() if isinstance(value, str) else value)
    pet.save(update_fields=list(changes))
    return pet


def kilograms_to_grams(value) -> int:
    """'4.25' kg → 4250 g; anything not a positive number of kilograms is refused."""
    try:
        grams = (Decimal(str(value).strip()) * 1000).quantize(Decimal(1))
    except (InvalidOperation, ValueError):
        raise _invalid({"weight_kg": [_("Enter the weight in kilograms, e.g. 4.2.")]}) from None
    if grams <= 0 or grams > 200_000:
        raise _invalid({"weight_kg": [_("Enter a weight above 0 kg.")]})
    return int(grams)


@transaction.atomic
def pet_weight_record(*, pet: Pet, measured_on: date, grams: int, clock: Clock = default_clock) -> PetWeight:
    errors: dict[str, list[str]] = {}
    if grams <= 0:
        errors["weight_kg"] = [_("Enter a weight above 0 kg.")]
    _not_future(measured_on, clock.today(), "measured_on", errors)
    if errors:
        raise _invalid(errors)
    return PetWeight.objects.create(pet=pet, measured_on=measured_on, grams=grams, created_at=clock.now())


def _record_check(*, kind: str, done_on: date, product: str, next_due: date | None, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in HealthRecordKind.values:
        errors["kind"] = [_("Choose vaccine, deworming or check-up.")]
    _not_future(done_on, today, "done_on", errors)
    if next_due is not None and next_due <= done_on:
        errors["next_due"] = [_("The next one falls after this one.")]
    if kind == HealthRecordKind.VACCINE and not product.strip():
        errors["product"] = [_("Name the vaccine.")]
    if errors:
        raise _invalid(errors)


@transaction.atomic
def health_record_update(
    *, record: HealthRecord, kind: str, done_on: date, product: str = "", next_due: date | None = None,
    clinic: str = "", note: str | None = None, clock: Clock = default_clock,
) -> HealthRecord:  # fmt: skip
    """Correct a record entered wrongly; the same rules as a new one, nothing saved if one fails."""
    _record_check(kind=kind, done_on=done_on, product=product, next_due=next_due, today=clock.today())
    record = HealthRecord.objects.select_for_update().get(pk=record.pk)
    record.kind, record.done_on, record.product, record.next_due = kind, done_on, product.strip(), next_due
    record.clinic = clinic.strip()
    record.note = record.note if note is None else note.strip()  # the staff form has no note: keep it
    record.save(update_fields=["kind", "done_on", "product", "next_due", "clinic", "note"])
    return record


@transaction.atomic
def health_record_remove(*, record: HealthRecord) -> None:
    """Delete a record entered by mistake (its due-date reminder goes with it)."""
    HealthRecord.objects.filter(pk=record.pk).delete()


@transaction.atomic
def pet_weight_update(*, weight: PetWeight, measured_on: date, grams: int, clock: Clock = default_clock) -> PetWeight:
    errors: dict[str, list[str]] = {}
    if grams <= 0:
        errors["weight_kg"] = [_("Enter a weight above 0 kg.")]
    _not_future(measured_on, clock.today(), "measured_on", errors)
    if errors:
        raise _invalid(errors)
    weight = PetWeight.objects.select_for_update().get(pk=weight.pk)
    weight.measured_on, weight.grams = measured_on, grams
    weight.save(update_fields=["measured_on", "grams"])
    return weight


@transaction.atomic
def pet_weight_remove(*, weight: PetWeight) -> None:
    PetWeight.objects.filter(pk=weight.pk).delete()


@transaction.atomic
def health_record_add(
    *,
    pet: Pet,
    kind: str,
    done_on: date,
    product: str = "",
    next_due: date | None = None,
    clinic: str = "",
    note: str = "",
    by: User | None = None,
    clock: Clock = default_clock,
) -> HealthRecord:
    """Record a vaccine, deworming or check-up; the next due date, if any, follows the date."""
    _record_check(kind=kind, done_on=done_on, product=product, next_due=next_due, today=clock.today())
    return HealthRecord.objects.create(
        pet=pet, kind=kind, done_on=done_on, product=product.strip(), next_due=next_due,
        clinic=clinic.strip(), note=note.strip(), created_by=by, created_at=clock.now(),
    )


@transaction.atomic
def pet_photos_add(*, pet: Pet, photos, clock: Clock = default_clock) -> list[PetPhoto]:
    photos = list(photos)
    errors = uploads_errors(photos, limit=MAX_PHOTOS_PER_UPLOAD) if photos else [_("Choose a photo.")]
    if errors:
        raise UploadInvalid(_("Some fields are invalid."), fields={"photos": errors})
    return [PetPhoto.objects.create(pet=pet, image=photo, uploaded_at=clock.now()) for photo in photos]


@transaction.atomic
def pet_photo_remove(*, photo: PetPhoto) -> None:
    photo.image.delete(save=False)
    photo.delete()
