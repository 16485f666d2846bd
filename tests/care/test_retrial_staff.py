"""What first-time staff and partners met: the listing message links the public page, a
wrong vaccine or weight can be corrected or deleted (and nothing of another shop's), the
health record goes out as a PDF or a link from the staff side, the complaint queue marks a
reopened complaint, the partner portal's rating rule and who-pays column say what they
mean, and the partner invitation comes from the platform."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.pet_models import AdoptionListing, HealthRecord, PetWeight
from pawpact.care.services.complaints import complaint_file, complaint_reopen, complaint_resolve
from pawpact.care.services.pet_archive import health_record_add, pet_weight_record
from pawpact.core.clock import FixedClock
from pawpact.partners.models import PartnerMember
from pawpact.workspace.enums import Role
from tests.care.factories import customer_with_pet
from tests.care.pet_factories import CLOCK, TODAY, shop_pet
from tests.conftest import SHOP_PASSWORD, host_of
from tests.partners.factories import booking as partner_booking
from tests.partners.factories import listed
from tests.workspace.conftest import client_for, staff_user


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(CLOCK.now(), tick=False):
        yield


@pytest.fixture
def archive(shop):
    with schema_context(shop.schema_name):
        customer, pet = customer_with_pet()
        record = health_record_add(pet=pet, kind="vaccine", done_on=TODAY - timedelta(days=10), product="Feline triple",
                                   next_due=TODAY + timedelta(days=355), clinic="Riverside", clock=CLOCK)  # fmt: skip
        weight = pet_weight_record(pet=pet, measured_on=TODAY - timedelta(days=3), grams=4_200, clock=CLOCK)
    return {"customer": customer, "pet": pet, "record": record, "weight": weight}


def test_the_listing_message_links_the_public_page(shop):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    with schema_context(shop.schema_name):
        pet = shop_pet("Snow")
    published = owner.post("/manage/pets/adoptions/", {"pet": pet.pk, "headline": "Snow", "fee_yuan": "0"}, follow=True)
    with schema_context(shop.schema_name):
        listing = AdoptionListing.objects.get()
    html = published.content.decode()
    assert re.search(rf'The pet is on your public adoption page\. <a href="/adopt/{listing.uuid}/"[^>]*>See the page</a>', html)


def test_staff_correct_a_wrong_vaccine_and_weight_refusing_bad_values(shop, archive):
    manager = client_for(shop, staff_user(shop, Role.MANAGER))
    pet, record, weight = archive["pet"], archive["record"], archive["weight"]
    base = f"/manage/pets/archive/{pet.uuid}"
    page = manager.get(f"{base}/").content.decode()
    assert f'href="{base}/records/{record.pk}/"' in page and f'action="{base}/weights/{weight.pk}/delete/"' in page
    assert 'data-confirm="Delete this entry? This cannot be undone."' in page
    form = manager.get(f"{base}/records/{record.pk}/").content.decode()
    assert 'value="Feline triple"' in form
    future = manager.post(f"{base}/records/{record.pk}/", {"kind": "vaccine", "done_on": str(TODAY + timedelta(days=1)), "product": "X"})
    unnamed = manager.post(f"{base}/records/{record.pk}/", {"kind": "vaccine", "done_on": str(TODAY), "product": ""})
    heavy = manager.post(f"{base}/weights/{weight.pk}/", {"measured_on": str(TODAY), "weight_kg": "0"})
    assert (future.status_code, unnamed.status_code, heavy.status_code) == (400, 400, 400)
    assert "Name the vaccine." in unnamed.content.decode() and "Enter a weight above 0 kg." in heavy.content.decode()
    with schema_context(shop.schema_name):
        assert HealthRecord.objects.get().product == "Feline triple" and PetWeight.objects.get().grams == 4_200
    fixed = manager.post(f"{base}/records/{record.pk}/", {"kind": "vaccine", "done_on": str(TODAY - timedelta(days=9)),
                                                          "product": "Rabies", "next_due": str(TODAY + timedelta(days=356)), "clinic": "Jade"})  # fmt: skip
    assert fixed.status_code == 302
    assert manager.post(f"{base}/weights/{weight.pk}/", {"measured_on": str(TODAY - timedelta(days=3)), "weight_kg": "4.45"}).status_code == 302
    with schema_context(shop.schema_name):
        row = HealthRecord.objects.get()
        assert (row.product, row.done_on, row.clinic, row.next_due) == ("Rabies", TODAY - timedelta(days=9), "Jade", TODAY + timedelta(days=356))
        assert list(PetWeight.objects.values_list("grams", flat=True)) == [4_450]


def test_the_counter_deletes_a_wrong_entry_by_post_only_and_customers_cannot(shop, archive):
    pet, record, weight = archive["pet"], archive["record"], archive["weight"]
    base = f"/manage/pets/archive/{pet.uuid}"
    clerk = client_for(shop, staff_user(shop, Role.CLERK))  # who enters records at the counter corrects them too
    with schema_context(shop.schema_name):
        customer_user = User.objects.create_user("owner-of-mimi@example.com", SHOP_PASSWORD)
    assert client_for(shop, customer_user).post(f"{base}/records/{record.pk}/delete/").status_code in (302, 403)
    assert clerk.get(f"{base}/records/{record.pk}/delete/").status_code == 405
    with schema_context(shop.schema_name):
        assert (HealthRecord.objects.count(), PetWeight.objects.count()) == (1, 1)
        _other_customer, other_pet = customer_with_pet()
    # An entry reached through another pet's address is not found.
    assert clerk.post(f"/manage/pets/archive/{other_pet.uuid}/records/{record.pk}/delete/").status_code == 404
    assert clerk.post(f"/manage/pets/archive/{other_pet.uuid}/weights/{weight.pk}/delete/").status_code == 404
    with schema_context(shop.schema_name):
        assert (HealthRecord.objects.count(), PetWeight.objects.count()) == (1, 1)
    assert clerk.post(f"{base}/records/{record.pk}/delete/").status_code == 302
    assert clerk.post(f"{base}/weights/{weight.pk}/delete/").status_code == 302
    with schema_context(shop.schema_name):
        assert (HealthRecord.objects.count(), PetWeight.objects.count()) == (0, 0)


def test_another_shops_staff_neither_see_nor_change_the_archive(shop, other_shop, archive):
    pet, record, weight = archive["pet"], archive["record"], archive["weight"]
    stranger = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    base = f"/manage/pets/archive/{pet.uuid}"
    for url in (f"{base}/records/{record.pk}/", f"{base}/health-record.pdf"):
        assert stranger.get(url).status_code == 404, url
    for url in (f"{base}/records/{record.pk}/delete/", f"{base}/weights/{weight.pk}/delete/", f"{base}/share/"):
        assert stranger.post(url).status_code == 404, url
    assert stranger.post(f"{base}/weights/{weight.pk}/", {"measured_on": str(TODAY), "weight_kg": "9"}).status_code == 404
    with schema_context(shop.schema_name):
        assert (HealthRecord.objects.get().product, PetWeight.objects.get().grams) == ("Feline triple", 4_200)


def test_staff_download_and_share_the_health_record(shop, archive):
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    pet = archive["pet"]
    document = clerk.get(f"/manage/pets/archive/{pet.uuid}/health-record.pdf")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf" and document.content.startswith(b"%PDF")
    shared = clerk.post(f"/manage/pets/archive/{pet.uuid}/share/").content.decode()
    url = re.search(r'value="(http[^"]+)"[^>]*data-testid="share-url"', shared).group(1)
    token = url.split("/health/")[1].rstrip("/")
    page = Client(HTTP_HOST=host_of(shop)).get(f"/health/{token}/")
    assert page.status_code == 200 and "Feline triple" in page.content.decode() and "4.2" in page.content.decode()
    assert client_for(shop).get(f"/manage/pets/archive/{pet.uuid}/health-record.pdf").status_code == 302  # not signed in


def test_the_queue_marks_a_reopened_complaint(shop):
    clerk = client_for(shop, staff_user(shop, Role.CLERK))
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        complaint = complaint_file(customer=customer, category="product", text="The food bag was torn.", clock=CLOCK)
    assert 'data-testid="reopened"' not in clerk.get("/manage/complaints/").content.decode()
    with schema_context(shop.schema_name):
        complaint_resolve(complaint=complaint, author=None, text="New bag sent.", clock=CLOCK)
        complaint_reopen(complaint=complaint, text="It never came.", clock=FixedClock(CLOCK.now() + timedelta(hours=1)))
    html = clerk.get("/manage/complaints/").content.decode()
    assert re.search(r'data-testid="reopened">reopened once</span>', html)
    assert '<td data-label="Status">' in html and '<td data-label="First response (24 h)">' in html


def test_the_portal_says_the_rating_rule_and_who_pays_per_row(shop):
    partner = listed(name="Jade Clinic")
    user = User.objects.create_user("lin@jade.test", SHOP_PASSWORD)
    PartnerMember.objects.create(partner=partner, user=user)
    partner_booking(shop, partner, completed=False)
    partner_booking(shop, partner, completed=False, with_entitlement=True)
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(user)
    html = client.get("/partner/").content.decode()
    assert "shown once 5 different customers have rated" in html and "from 5 ratings" not in html
    cells = re.findall(r'<td data-label="Who pays">([^<]+)</td>', html)
    assert sorted(cells) == ["Plan entitlement: the platform settles ¥80.00", "The customer pays you"]
    assert re.search(r'<select id="status" name="status" data-autosubmit>.*?</select>\s*<button type="submit"', html, re.DOTALL)


def test_the_partner_invitation_comes_from_the_platform(db, django_capture_on_commit_callbacks):
    partner = listed(name="静安宠物医院")
    console = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    console.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/console/partners/{partner.pk}/invite/", {"email": "staff@jingan.test"})
    body = mail.outbox[0].body
    assert body.startswith("Pawpact 平台邀请您以「静安宠物医院」工作人员的身份登录其服务伙伴后台。")
    assert "静安宠物医院 邀请您" not in body and "Pawpact invites you, as staff of 静安宠物医院, to its partner portal." in body
