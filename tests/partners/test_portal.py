"""The partner portal: invited from the console, a partner's person signs in and sees and acts on
their own partner only; the console's statement and its exports."""
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from pawpact.accounts.models import User
from pawpact.partners.enums import BookingStatus, ChangeReason
from pawpact.partners.models import Partner, PartnerBooking, PartnerMember, PartnerStateChange
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import PDF, booking, listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True))
    return client


def member_client(partner, email):
    user = User.objects.create_user(email, SHOP_PASSWORD)
    PartnerMember.objects.create(partner=partner, user=user)
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(user)
    return client


def test_the_console_invites_a_partner_person_who_gets_a_link_to_choose_a_password(
    console, django_capture_on_commit_callbacks
):
    riverside, jade = listed(name="Riverside Vet"), listed(name="Jade Clinic")
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(f"/console/partners/{riverside.pk}/invite/", {"email": "Lin@Riverside.test", "name": "Lin"})
    assert response.status_code == 302
    member = PartnerMember.objects.select_related("user").get()
    assert (member.partner_id, member.user.email, member.user.has_usable_password()) == (
        riverside.pk, "lin@riverside.test", False)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lin@riverside.test"]
    link = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    assert "/accounts/login/?next=/partner/" in mail.outbox[0].body
    assert Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN).get(link).status_code in (200, 302)
    # The same address for another partner, a bad address, or a platform admin: refused, nothing written.
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("lin@riverside.test", "not-an-email", "ops@pawpact.test"):
            console.post(f"/console/partners/{jade.pk}/invite/", {"email": email})
    assert (PartnerMember.objects.count(), User.objects.count(), len(mail.outbox)) == (1, users, 1)


def test_a_partner_sees_and_completes_only_its_own_bookings(shop):
    riverside, jade = listed(name="Riverside Vet"), listed(name="Jade Clinic")
    own = booking(shop, riverside, completed=False)
    own.pet_name, own.scheduled_at = "Mochi-R", timezone.now() - timedelta(hours=1)  # the visit took place
    own.save(update_fields=["pet_name", "scheduled_at"])
    theirs = booking(shop, jade, completed=False)
    theirs.pet_name = "Bao-J"
    theirs.save(update_fields=["pet_name"])
    client = member_client(riverside, "lin@riverside.test")
    page = client.get("/partner/").content.decode()
    assert "Mochi-R" in page and "Bao-J" not in page and "Jade Clinic" not in page
    assert client.post(f"/partner/bookings/{theirs.pk}/complete/").status_code == 404
    assert PartnerBooking.objects.get(pk=theirs.pk).status == BookingStatus.REQUESTED
    assert client.post(f"/partner/bookings/{own.pk}/complete/").status_code == 302
    own.refresh_from_db()
    assert (own.status, own.completed_at is not None) == (BookingStatus.COMPLETED, True)
    assert client.post(f"/partner/bookings/{own.pk}/complete/").status_code == 302  # again: nothing changes
    assert PartnerBooking.objects.filter(status=BookingStatus.COMPLETED).count() == 1


def test_the_statement_export_lists_only_the_partners_own_redemptions(shop):
    riverside, jade = listed(name="Riverside Vet", price_minor=8_000), listed(name="Jade Clinic", price_minor=6_000)
    booking(shop, riverside, with_entitlement=True)
    booking(shop, riverside, with_entitlement=True)
    booking(shop, jade, with_entitlement=True)
    client = member_client(riverside, "lin@riverside.test")
    months = client.get("/partner/statement/?export=csv").content.decode("utf-8-sig").splitlines()
    assert months[1].split(",")[1:4] == ["2", "160.00", "0.00"]
    lines = client.get("/partner/statement/?lines=1&export=csv").content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and all(line.endswith(",80.00") for line in lines[1:])
    assert client.get("/partner/statement/?export=xlsx")["Content-Type"].startswith("application/vnd.openxml")


def test_profile_edit_saves_and_a_changed_licence_goes_back_for_review(shop):
    riverside = listed(name="Riverside Vet")
    client = member_client(riverside, "lin@riverside.test")
    form = {"phone": "021-5555-0199", "address": "2 Riverside Rd", "latitude": "31.24", "longitude": "121.48",
            "services": ["checkup", "vaccine"], "licence_number": "PX-2026-001"}  # fmt: skip
    assert client.post("/partner/profile/", form).status_code == 302
    riverside.refresh_from_db()
    assert (riverside.phone, riverside.latitude, riverside.services, riverside.licence_review_pending) == (
        "021-5555-0199", 31.24, ["checkup", "vaccine"], False)  # fmt: skip
    bad = client.post("/partner/profile/", {**form, "latitude": "95", "phone": "000"})
    assert bad.status_code == 400
    riverside.refresh_from_db()
    assert (riverside.latitude, riverside.phone) == (31.24, "021-5555-0199")
    new_licence = SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")
    assert client.post("/partner/profile/", {**form, "licence_file": new_licence}).status_code == 302
    riverside.refresh_from_db()
    assert riverside.licence_review_pending is True
    assert PartnerStateChange.objects.filter(partner=riverside, reason=ChangeReason.LICENCE_CHANGED).count() == 1
    console = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    console.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, is_staff=True))
    assert "Licence reviewed" in console.get(f"/console/partners/{riverside.pk}/").content.decode()
    console.post(f"/console/partners/{riverside.pk}/licence-reviewed/")
    assert Partner.objects.get(pk=riverside.pk).licence_review_pending is False


def test_only_partner_members_enter_the_portal(shop):
    anonymous = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN).get("/partner/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    stranger = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    stranger.force_login(User.objects.create_user("someone@example.test", SHOP_PASSWORD))
    assert stranger.get("/partner/").status_code == 403
    assert stranger.get("/partner/statement/?export=csv").status_code == 403


def test_the_console_statement_shows_months_and_exports(console, shop):
    riverside = listed(name="Riverside Vet", price_minor=8_000)
    booking(shop, riverside, with_entitlement=True)
    page = console.get(f"/console/partners/{riverside.pk}/statement/")
    assert page.status_code == 200 and "80.00" in page.content.decode()
    rows = console.get(f"/console/partners/{riverside.pk}/statement/?export=csv").content.decode("utf-8-sig")
    assert rows.splitlines()[1].split(",")[1:3] == ["1", "80.00"]
    assert console.post("/console/partners/clearing-run/").status_code == 302
