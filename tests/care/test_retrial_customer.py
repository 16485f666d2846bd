"""What a first-time customer and visitor met on the care pages: the rating button's own
Chinese, the adoption page reachable from the home and the shop, the adoption form saying
its rule up front and counting Chinese fairly, a closed listing explained, the used-up plan
allowance said, one sentence for a taken slot, the partner visit's address and cost,
the complaint's linked booking shown and a cancelled future booking refused, the shop's
name on /my/, and the notices customers get about bookings and complaints."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.care.enums import BookingStatus
from pawpact.care.errors import BookingStateInvalid
from pawpact.care.models import Booking, Complaint
from pawpact.care.pet_models import AdoptionApplication
from pawpact.care.services.adoptions import adoption_listing_create, experience_weight
from pawpact.care.services.bookings import booking_cancel, booking_create, booking_reschedule
from pawpact.care.services.complaints import complaint_file, complaint_resolve, complaint_respond
from pawpact.core.clock import FixedClock
from pawpact.messaging.models import Message
from tests.care.factories import NOW, at, contract_with_grooming, customer_with_pet, groomer, grooming
from tests.care.pet_factories import CLOCK, shop_pet
from tests.care.test_customer_pages import _login
from tests.care.test_slots import MONDAY
from tests.conftest import host_of
from tests.partners.factories import booking as partner_booking
from tests.partners.factories import listed

APPLY = {"name": "Lin Xiaomei", "phone": "13900001111", "housing": "own_flat", "consent": "on"}


@pytest.fixture(autouse=True)
def _at_noon_saturday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def care(shop):
    with schema_context(shop.schema_name):
        service = grooming()
        li = groomer(service)
        contract = contract_with_grooming(quantity=1)
    return {"service": service, "li": li, "contract": contract, "client": _login(shop, contract.customer)}


def test_the_rating_button_and_the_funding_rate_are_different_words():
    with translation.override("zh-hans"):
        assert translation.pgettext("rating", "Rate") == "提交评分"
        assert translation.gettext("Rate") == "垫资比例"  # the advance rate of the funding statements
        assert translation.pgettext("street", "address") == "地址"  # a partner's street, not a web address
        assert translation.pgettext("webhook", "Delivered") == "已送达"  # not a parcel's 已签收
        assert translation.pgettext("shop visit", "Visit") == "到店"  # not a dunning 上门拜访
        assert translation.pgettext("incident", "What happened") == "发生了什么"  # not a call's 联系结果
        assert translation.pgettext("pet", "Name") == "名字"
        assert translation.gettext("Email") == "邮箱"


def test_the_rating_form_reads_submit_rating_in_chinese(shop):
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
    partner_booking(shop, listed(name="Jing'an Vet"), customer_uuid=customer.uuid)
    page = _login(shop, customer).get("/my/partner-services/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<button type="submit">提交评分</button>' in page and "垫资比例" not in page


def test_the_partner_visit_shows_address_phone_and_what_the_customer_pays(shop):
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
    partner = listed(name="Jing'an Vet")
    partner_booking(shop, partner, customer_uuid=customer.uuid, completed=False)
    partner_booking(shop, partner, customer_uuid=customer.uuid, completed=False, with_entitlement=True)
    page = _login(shop, customer).get("/my/partner-services/").content.decode()
    assert page.count('1 Riverside Rd · <a href="tel:021-5555-0100">021-5555-0100</a>') == 2
    costs = re.findall(r'data-testid="partner-cost">([^<]+)<', page)
    assert sorted(costs) == [
        "Covered by your plan: you pay nothing at the visit.",
        "Not covered by your plan: you pay Jing&#x27;an Vet its own price at the visit. Call ahead to ask the price.",
    ]


def test_home_and_shop_lead_to_the_adoption_page(shop):
    from pawpact.care.services.adoptions import adoption_listing_create
    from tests.care.pet_factories import shop_pet

    visitor = Client(HTTP_HOST=host_of(shop))
    # The shop's zones are what it offers (pawpact.care.zones): no pet listed, no adoption zone.
    assert 'href="/adopt/">Adopt a pet' not in visitor.get("/shop/").content.decode()
    with schema_context(shop.schema_name):
        adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow"})
    for path in ("/", "/shop/"):
        page = visitor.get(path).content.decode()
        assert re.search(r'<a class="[^"]*" href="/adopt/">Adopt a pet', page), path
    assert "领养宠物" in visitor.get("/shop/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_adoption_form_says_its_rule_first_and_counts_chinese_fairly(shop):
    with schema_context(shop.schema_name):
        listing = adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow"}, clock=CLOCK)
    visitor = Client(HTTP_HOST=host_of(shop))
    blank = visitor.get(f"/adopt/{listing.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "一两句话即可：至少 5 个汉字或 10 个字母。" in blank  # before anything is sent
    assert "<dt>名字</dt>" in blank and "<dt>姓名</dt>" not in blank
    assert '<label for="id_email">邮箱</label>' in blank
    assert (experience_weight("养过两只猫"), experience_weight("养过猫"), experience_weight("  two cats  ")) == (10, 6, 7)
    short = visitor.post(f"/adopt/{listing.uuid}/", {**APPLY, "experience": "养过猫"})
    assert short.status_code == 400 and "at least 10 letters or 5 Chinese characters" in short.content.decode()
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.count() == 0
    assert visitor.post(f"/adopt/{listing.uuid}/", {**APPLY, "experience": "养过两只猫"}).status_code == 200
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.get().experience == "养过两只猫"


def test_a_closed_listing_says_what_became_of_the_pet_and_shows_the_others(shop, other_shop):
    with schema_context(shop.schema_name):
        snow = adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow"}, clock=CLOCK)
        adoption_listing_create(pet=shop_pet("Coco"), values={"headline": "Coco, a shy tabby", "fee_minor": 30_000}, clock=CLOCK)
    visitor = Client(HTTP_HOST=host_of(shop))
    for status, sentence in (("reserved", "Snow has been reserved for an adopter."), ("adopted", "Snow has been adopted and found a home."),
                             ("withdrawn", "Snow is no longer up for adoption.")):  # fmt: skip
        with schema_context(shop.schema_name):
            type(snow).objects.filter(pk=snow.pk).update(status=status)
        page = visitor.get(f"/adopt/{snow.uuid}/")
        text = page.content.decode()
        assert page.status_code == 410 and sentence in text, status
        assert "Coco, a shy tabby</a> · ¥300.00" in text and 'href="/adopt/"' in text
        refused = visitor.post(f"/adopt/{snow.uuid}/", {**APPLY, "experience": "Two cats over ten years."})
        assert refused.status_code == 410
    with schema_context(shop.schema_name):
        assert AdoptionApplication.objects.count() == 0
    assert Client(HTTP_HOST=host_of(other_shop)).get(f"/adopt/{snow.uuid}/").status_code == 404


def test_a_used_up_allowance_is_said_with_its_renewal_and_paid_bookings_do_not_promise_it_back(shop, care):
    client, contract, service, li = care["client"], care["contract"], care["service"], care["li"]
    query = f"?service={service.uuid}&pet={contract.pet.uuid}&day=2026-03-09"
    assert 'data-testid="allowance-used-up"' not in client.get("/my/book/" + query).content.decode()
    with schema_context(shop.schema_name):
        first = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=li,
                               starts_at=at(MONDAY, 9), clock=FixedClock(NOW))  # fmt: skip
    page = client.get("/my/book/" + query).content.decode()
    assert "To pay at the shop: <strong>¥88.00</strong>" in page
    notice = re.search(r'data-testid="allowance-used-up">([^<]+)<', page).group(1)
    assert notice == "Your plan's allowance for this service is used up for this period; it renews on 2026-03-10."
    with schema_context(shop.schema_name):
        paid = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=li,
                              starts_at=at(MONDAY, 13), clock=FixedClock(NOW))  # fmt: skip
        assert (first.benefit_source, paid.benefit_source, paid.amount_due_minor) == ("plan_entitlement", "paid", 8_800)
    paid_page = client.get(f"/my/bookings/{paid.uuid}/").content.decode()
    covered_page = client.get(f"/my/bookings/{first.uuid}/").content.decode()
    assert "Cancelling is free up to 2 hours before the appointment." in paid_page and "plan entitlement" not in paid_page
    assert "A plan entitlement used by this booking is given back when you cancel in time." in covered_page


def test_a_taken_slot_is_said_once(shop, care):
    client, contract, service, li = care["client"], care["contract"], care["service"], care["li"]
    with schema_context(shop.schema_name):
        other, other_pet = customer_with_pet()
        booking_create(customer=other, pet=other_pet, service=service, resource=li, starts_at=at(MONDAY, 9), clock=FixedClock(NOW))
    query = f"?service={service.uuid}&pet={contract.pet.uuid}&day=2026-03-09"
    taken = client.post("/my/book/" + query, {"slot": f"{li.pk}|{at(MONDAY, 9).isoformat()}", "pet": str(contract.pet.uuid)},
                        HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    error = re.search(r'data-testid="book-error">([^<]+)<', taken.content.decode()).group(1)
    assert taken.status_code == 409 and error == "该时间刚被预约，请选择其他时段。"


def test_the_complaint_shows_its_booking_and_a_cancelled_future_booking_is_refused(shop, care):
    client, contract, service, li = care["client"], care["contract"], care["service"], care["li"]
    with schema_context(shop.schema_name):
        later = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=li,
                               starts_at=at(MONDAY, 10), clock=FixedClock(NOW))  # fmt: skip
        booking_cancel(booking=later, clock=FixedClock(NOW))
        past = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=li,
                              starts_at=NOW + timedelta(hours=3), clock=FixedClock(NOW))  # fmt: skip
    form = client.get("/my/complaints/").content.decode()
    assert f"booking:{past.uuid}" in form and f"booking:{later.uuid}" not in form
    body = {"category": "service", "text": "The groomer cut Mimi's ear."}
    refused = client.post("/my/complaints/", {**body, "link": f"booking:{later.uuid}"})
    assert refused.status_code == 400 and "This booking was cancelled and has not taken place." in refused.content.decode()
    with schema_context(shop.schema_name):
        assert Complaint.objects.count() == 0
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        assert client.post("/my/complaints/", {**body, "link": f"booking:{past.uuid}"}).status_code == 302
        with schema_context(shop.schema_name):
            complaint = Complaint.objects.get()
        page = client.get(f"/my/complaints/{complaint.uuid}/").content.decode()
    linked = re.search(r'data-testid="complaint-booking"><a href="([^"]+)">([^<]+)</a>', page)
    assert linked.groups() == (f"/my/bookings/{past.uuid}/", "Full groom · 2026-03-07 15:00")


def test_my_account_page_carries_the_shop_name(shop, care):
    page = care["client"].get("/my/").content.decode()
    assert re.search(rf'<a class="brand" href="/">{re.escape(shop.name)}</a>', page)
    assert f"· {shop.name}</title>" in page


def _messages(shop, customer) -> list[tuple[str, str, str]]:
    with schema_context(shop.schema_name):
        rows = Message.objects.filter(customer=customer).order_by("id")
        return [(row.topic, row.channel, row.category) for row in rows]


def test_bookings_made_moved_and_cancelled_are_told_to_the_customer_once_each(shop, care):
    contract, service, li = care["contract"], care["service"], care["li"]
    with schema_context(shop.schema_name):
        booking = booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=li,
                                 starts_at=at(MONDAY, 9), clock=FixedClock(NOW))  # fmt: skip
        booking_reschedule(booking=booking, starts_at=at(MONDAY, 14), clock=FixedClock(NOW))
        booking_cancel(booking=booking, clock=FixedClock(NOW))
        with pytest.raises(BookingStateInvalid):  # cancelling twice is refused and tells nothing
            booking_cancel(booking=booking, clock=FixedClock(NOW))
        bodies = list(Message.objects.filter(customer=contract.customer, channel="sms").order_by("id").values_list("subject", "body"))
    assert _messages(shop, contract.customer) == [("booking_notice", channel, "service") for channel in ("sms", "in_app")] * 3
    assert [subject for subject, _body in bodies] == ["Booking confirmed", "Booking moved", "Booking cancelled"]
    link = f"http://{host_of(shop)}"
    assert all(body.endswith(f"/my/bookings/{booking.uuid}/") and link in body for _subject, body in bodies)
    assert bodies[1][1].startswith(f"Full groom for {contract.pet.name} is moved to 2026-03-09 14:00 with Groomer Li.")


def test_complaint_answers_and_resolutions_are_told_to_the_customer(shop, care):
    contract = care["contract"]
    with schema_context(shop.schema_name):
        complaint = complaint_file(customer=contract.customer, category="service", text="Food arrived torn open.", clock=FixedClock(NOW))
        complaint_respond(complaint=complaint, author=None, text="Sorry, we send a new bag today.", clock=FixedClock(NOW))
        complaint_resolve(complaint=complaint, author=None, text="A new bag was delivered.", clock=FixedClock(NOW))
        sms = list(Message.objects.filter(customer=contract.customer, channel="sms").order_by("id").values_list("subject", "body"))
    assert _messages(shop, contract.customer) == [("complaint_notice", channel, "service") for channel in ("sms", "in_app")] * 2
    assert [subject for subject, _body in sms] == ["The shop answered your complaint", "Your complaint is resolved"]
    assert "Sorry, we send a new bag today." in sms[0][1] and sms[1][1].endswith(f"/my/complaints/{complaint.uuid}/")
    inbox = care["client"].get("/my/messages/").content.decode()
    assert "Your complaint is resolved" in inbox


def test_service_notices_pass_a_spent_marketing_cap(shop, care):
    from pawpact.messaging.services import messaging_settings_update

    contract, service, li = care["contract"], care["service"], care["li"]
    with schema_context(shop.schema_name):
        messaging_settings_update(marketing_messages_per_day=0)
        booking_create(customer=contract.customer, pet=contract.pet, service=service, resource=li, starts_at=at(MONDAY, 9),
                       clock=FixedClock(NOW))  # fmt: skip
        statuses = set(Message.objects.filter(customer=contract.customer).values_list("status", flat=True))
    assert "suppressed" not in statuses and len(_messages(shop, contract.customer)) == 2
    with schema_context(shop.schema_name):
        assert Booking.objects.get().status == BookingStatus.BOOKED
