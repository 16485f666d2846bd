"""The pet archive: profile, weights, health records and photos; bad input writes nothing."""
from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.care.errors import PetRecordInvalid, UploadInvalid
from pawpact.care.pet_models import HealthRecord, PetPhoto, PetWeight
from pawpact.care.services.pet_archive import (
    health_record_add,
    kilograms_to_grams,
    pet_photos_add,
    pet_profile_update,
    pet_weight_record,
)
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, TODAY, png, script_as_png


def test_profile_weights_records_and_photos_are_kept(shop):
    with schema_context(shop.schema_name):
        _, pet = customer_with_pet()
        pet_profile_update(
            pet=pet, changes={"sex": "female_spayed", "birthday": date(2025, 6, 1), "adoption_date": date(2025, 9, 1),
                              "allergies": "chicken", "microchip": "156100000000001"}, clock=CLOCK,
        )
        pet.refresh_from_db()
        assert (pet.sex, pet.birthday, pet.adoption_date, pet.allergies) == ("female_spayed", date(2025, 6, 1), date(2025, 9, 1), "chicken")
        assert kilograms_to_grams("4.25") == 4250
        pet_weight_record(pet=pet, measured_on=TODAY, grams=4250, clock=CLOCK)
        record = health_record_add(
            pet=pet, kind="vaccine", done_on=TODAY - timedelta(days=3), product="Feline trivalent",
            next_due=TODAY + timedelta(days=362), clock=CLOCK,
        )
        photos = pet_photos_add(pet=pet, photos=[png(), png("b.png")], clock=CLOCK)
        assert list(PetWeight.objects.filter(pet=pet).values_list("measured_on", "grams")) == [(TODAY, 4250)]
        assert (record.kind, record.product, record.next_due) == ("vaccine", "Feline trivalent", date(2027, 3, 17))
        assert PetPhoto.objects.filter(pet=pet).count() == 2 and photos[0].image.name.endswith(".png")


@pytest.mark.parametrize("value", ["0", "-1.5", "abc", "", "250"])
def test_a_weight_of_zero_or_less_or_no_number_is_refused(value):
    with pytest.raises(PetRecordInvalid) as refused:
        kilograms_to_grams(value)
    assert list(refused.value.fields) == ["weight_kg"]


@pytest.mark.parametrize(
    "done_on, next_due, field",
    [(TODAY + timedelta(days=1), None, "done_on"), (TODAY, TODAY, "next_due"), (TODAY, TODAY - timedelta(days=5), "next_due")],
)
def test_records_in_the_future_or_due_before_their_date_write_nothing(shop, done_on, next_due, field):
    with schema_context(shop.schema_name):
        _, pet = customer_with_pet()
        with pytest.raises(PetRecordInvalid) as refused:
            health_record_add(pet=pet, kind="deworming", done_on=done_on, next_due=next_due, clock=CLOCK)
        assert refused.value.code == "pet_record_invalid" and field in refused.value.fields
        with pytest.raises(PetRecordInvalid):
            pet_weight_record(pet=pet, measured_on=TODAY + timedelta(days=1), grams=3000, clock=CLOCK)
        with pytest.raises(PetRecordInvalid):
            pet_weight_record(pet=pet, measured_on=TODAY, grams=0, clock=CLOCK)
        with pytest.raises(PetRecordInvalid):
            pet_profile_update(pet=pet, changes={"birthday": TODAY + timedelta(days=1)}, clock=CLOCK)
        assert HealthRecord.objects.count() == 0 and PetWeight.objects.count() == 0
        pet.refresh_from_db()
        assert pet.birthday is None


@pytest.mark.parametrize("upload", [script_as_png, lambda: png("big.png", size=8 * 1024 * 1024 + 1), lambda: png("a.gif")])
def test_photos_of_the_wrong_type_or_too_large_are_refused(shop, upload):
    with schema_context(shop.schema_name):
        _, pet = customer_with_pet()
        with pytest.raises(UploadInvalid) as refused:
            pet_photos_add(pet=pet, photos=[png(), upload()], clock=CLOCK)
        assert refused.value.code == "upload_invalid" and "photos" in refused.value.fields
        assert PetPhoto.objects.count() == 0
