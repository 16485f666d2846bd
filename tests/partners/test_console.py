import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pawpact.accounts.models import User
from pawpact.partners.enums import PartnerState, StandardItem
from pawpact.partners.models import Partner, PartnerStateChange
from tests.conftest import SHOP_PASSWORD, host_of
from tests.partners.factories import PDF, booking, listed, onboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(public_client):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    return public_client


def _form(**overrides):
    data = {"kind": "clinic", "name": "Harbour Animal Hospital", "phone": "021-1234", "address": "9 Harbour St",
            "latitude": "31.2304", "longitude": "121.4737", "services": ["emergency", "surgery"], "open_24h": "on",
            "entitlement_price": "80.50", "licence_number": "VET-31-0099",
            "licence_file": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")}  # fmt: skip
    data.update(overrides)
    return data


def test_onboarding_form_records_an_application_with_its_licence_in_fen(console):
    response = console.post("/console/partners/new/", _form())
    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/partners/{partner.pk}/"
    assert (partner.state, partner.entitlement_price_minor, partner.open_24h) == ("applied", 8050, True)
    assert partner.services == ["emergency", "surgery"]
    licence = console.get(f"/console/partners/{partner.pk}/licence/")
    assert b"".join(licence.streaming_content) == PDF


def test_out_of_range_coordinates_are_a_form_error_and_nothing_is_written(console):
    response = console.post("/console/partners/new/", _form(latitude="95"))
    assert response.status_code == 200
    assert "latitude" in response.context["form"].errors
    assert Partner.objects.count() == 0


def test_verify_then_list_from_the_partner_page(console):
    partner = onboard()
    console.post(f"/console/partners/{partner.pk}/", {"checklist": StandardItem.values[:2]})
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.APPLIED  # the standard is not met
    console.post(f"/console/partners/{partner.pk}/", {"checklist": StandardItem.values})
    console.post(f"/console/partners/{partner.pk}/", {})
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.LISTED


def test_delist_asks_for_confirmation_then_relist(console):
    partner = listed()
    page = console.get(f"/console/partners/{partner.pk}/delist/")
    assert page.status_code == 200 and Partner.objects.get(pk=partner.pk).state == PartnerState.LISTED
    console.post(f"/console/partners/{partner.pk}/delist/", {"note": "Licence expired"})
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.DELISTED
    assert PartnerStateChange.objects.filter(partner=partner).first().note == "Licence expired"
    console.post(f"/console/partners/{partner.pk}/relist/", {"note": "Renewed"})
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.LISTED


def test_list_filters_by_state_and_exports(console, shop):
    a = listed(name="Alpha Clinic")
    onboard(name="Beta Clinic")
    from pawpact.partners.bookings import rating_submit

    done = booking(shop, a)
    rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=4)
    response = console.get("/console/partners/?state=listed")
    assert [p.name for p in response.context["partners"]] == ["Alpha Clinic"]
    csv_text = console.get("/console/partners/?state=applied&export=csv").content.decode("utf-8-sig")
    assert "Beta Clinic" in csv_text and "Alpha Clinic" not in csv_text
    assert "no data" in csv_text  # Beta has no rating: not 0 stars
    xlsx = console.get("/console/partners/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    detail = console.get(f"/console/partners/{a.pk}/")
    assert detail.status_code == 200 and "<svg" in detail.content.decode()


def test_console_partner_pages_are_for_platform_admins_only(public_client, shop):
    partner = listed()
    for url in ("/console/partners/", f"/console/partners/{partner.pk}/", f"/console/partners/{partner.pk}/licence/"):
        assert public_client.get(url).status_code == 302
    shop_host = Client(HTTP_HOST=host_of(shop))
    assert shop_host.get("/console/partners/").status_code == 404
