import pytest

from pawpact.core.errors import DomainError
from pawpact.partners.enums import ChangeReason, PartnerState, StandardItem
from pawpact.partners.errors import PartnerInvalid, PartnerStateConflict
from pawpact.partners.models import Partner, PartnerStateChange
from pawpact.partners.services import partner_delist, partner_publish, partner_relist, partner_verify
from tests.partners.factories import listed, onboard

pytestmark = pytest.mark.django_db


def test_onboarding_walks_applied_verified_listed_with_history():
    partner = onboard()
    assert partner.state == PartnerState.APPLIED
    assert partner.licence_file.name.startswith("partner-licences/")
    partner = partner_verify(partner=partner, checklist=StandardItem.values)
    partner = partner_publish(partner=partner)
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.LISTED
    history = list(PartnerStateChange.objects.filter(partner=partner).order_by("id").values_list("to_state", "reason"))
    assert history == [("applied", "onboarded"), ("verified", "verified"), ("listed", "listed")]


@pytest.mark.parametrize(
    "latitude,longitude,field",
    [(91, 121, "latitude"), (-90.5, 0, "latitude"), (31, 180.01, "longitude"), (31, "east", "longitude")],
)
def test_coordinates_out_of_range_are_refused_and_nothing_is_written(latitude, longitude, field):
    with pytest.raises(PartnerInvalid) as error:
        onboard(latitude=latitude, longitude=longitude)
    assert field in error.value.fields
    assert Partner.objects.count() == 0
    assert PartnerStateChange.objects.count() == 0


def test_a_licence_that_is_not_a_document_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pawpact.partners.services import partner_onboard

    with pytest.raises(PartnerInvalid) as error:
        partner_onboard(kind="clinic", name="X", phone="1", address="a", latitude=1, longitude=1,
                        services=["checkup"], licence_number="L", licence_file=SimpleUploadedFile("x.exe", b"MZ..."))  # fmt: skip
    assert "licence_file" in error.value.fields
    assert Partner.objects.count() == 0


def test_verification_needs_the_whole_service_standard():
    partner = onboard()
    with pytest.raises(PartnerInvalid) as error:
        partner_verify(partner=partner, checklist=StandardItem.values[:-1])
    assert "checklist" in error.value.fields
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.APPLIED


def test_delist_and_relist_record_the_reason():
    partner = listed()
    partner = partner_delist(partner=partner, note="Licence expired")
    assert partner.state == PartnerState.DELISTED
    with pytest.raises(PartnerStateConflict):
        partner_delist(partner=partner)
    partner = partner_relist(partner=partner, note="Renewed")
    assert partner.state == PartnerState.LISTED
    reasons = list(PartnerStateChange.objects.filter(partner=partner).values_list("reason", flat=True)[:2])
    assert reasons == [ChangeReason.RELISTED_BY_ADMIN, ChangeReason.DELISTED_BY_ADMIN]


def test_a_listed_partner_cannot_be_listed_again():
    partner = listed()
    with pytest.raises(DomainError):
        partner_publish(partner=partner)
