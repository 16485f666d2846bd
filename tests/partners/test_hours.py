"""Opening hours as data: seven days of ranges, edited in the portal and the console with the
bad day named (close before open, overlaps), shown in zh/en, and the emergency search marking
(and filtering) clinics open at the moment, in the platform's time zone."""
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.core.errors import ValidationFailed
from pawpact.partners.hours import day_parse, is_open, week_from_text, week_lines
from pawpact.partners.models import Partner, PartnerMember
from pawpact.partners.portal import partner_hours_update
from pawpact.partners.selectors import clinics_near
from tests.conftest import SHOP_PASSWORD, host_of
from tests.partners.factories import listed

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 on Monday in Beijing
MONDAY_13 = datetime(2026, 3, 16, 5, 0, tzinfo=UTC)  # 13:00
SUNDAY_23 = datetime(2026, 3, 22, 15, 30, tzinfo=UTC)  # 23:30 on Sunday
SPLIT = ["09:00–12:00, 14:00–18:00", "09:00-18:00", "09:00-18:00", "09:00-18:00", "09:00-18:00", "10:00～16:00", ""]
WEEK = {f"day_{n}": text for n, text in enumerate(SPLIT)}


def _client(user):
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(user)
    return client


def _member(partner, email="lin@riverside.test"):
    user = User.objects.create_user(email, SHOP_PASSWORD)
    PartnerMember.objects.create(partner=partner, user=user)
    return _client(user)


@pytest.mark.parametrize(("text", "problem"), [
    ("18:00-09:00", "18:00–09:00 closes before it opens"),
    ("09:00-12:00, 11:00-14:00", "09:00–12:00 overlaps 11:00–14:00"),
    ("9 to 5", "“9 to 5” is not a time range"),
    ("09:00-25:00", "is not a time range"),
    ("24:00-24:00", "is not a time range"),
])  # fmt: skip
def test_a_bad_day_is_refused_with_the_reason(text, problem):
    with translation.override("en"):
        _ranges, problems = day_parse(text)
    assert len(problems) == 1 and problem in problems[0], problems


def test_ranges_are_read_sorted_and_midnight_is_24_00():
    assert day_parse("14:00–24:00，9:00-12:00") == ([["09:00", "12:00"], ["14:00", "24:00"]], [])
    assert day_parse("  ") == ([], [])


def test_the_portal_saves_the_week_and_a_bad_day_writes_nothing(shop):
    riverside = listed(name="Riverside Vet")
    client = _member(riverside)
    assert client.post("/partner/hours/", {**WEEK, "hours_note": "Closed on public holidays"}).status_code == 302
    riverside.refresh_from_db()
    assert riverside.weekly_hours == [
        [["09:00", "12:00"], ["14:00", "18:00"]], *[[["09:00", "18:00"]]] * 4, [["10:00", "16:00"]], []]
    assert (riverside.hours_note, riverside.open_24h) == ("Closed on public holidays", False)
    with translation.override("zh-hans"):
        lines = week_lines(riverside.weekly_hours)
    assert lines[0] == ("周一", "09:00–12:00, 14:00–18:00") and lines[6] == ("周日", "休息")

    bad = client.post("/partner/hours/", {**WEEK, "day_2": "18:00-09:00", "day_4": "09:00-12:00, 11:00-13:00"},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    page = bad.content.decode()
    assert bad.status_code == 400 and "09:00–12:00 与 11:00–13:00 重叠" in page and "18:00–09:00 的关门时间早于开门时间" in page
    assert Partner.objects.get(pk=riverside.pk).weekly_hours[2] == [["09:00", "18:00"]]  # unchanged


def test_the_console_edits_any_partners_hours_and_a_partner_only_its_own(shop):
    riverside, jade = listed(name="Riverside Vet"), listed(name="Jade Clinic")
    console = _client(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, is_staff=True))
    assert console.post(f"/console/partners/{jade.pk}/hours/", {**WEEK, "open_24h": "on"}).status_code == 302
    jade.refresh_from_db()
    assert jade.open_24h and jade.weekly_hours[5] == [["10:00", "16:00"]]
    assert "Every day Open 24 hours" in console.get(f"/console/partners/{jade.pk}/").content.decode()
    lin = _member(riverside)
    assert lin.get(f"/console/partners/{jade.pk}/hours/").status_code in (302, 403)
    lin.post("/partner/hours/", {"day_0": "08:00-20:00"})
    assert Partner.objects.get(pk=jade.pk).weekly_hours[0] == [["09:00", "12:00"], ["14:00", "18:00"]]
    assert Partner.objects.get(pk=riverside.pk).weekly_hours[0] == [["08:00", "20:00"]]


def test_the_service_refuses_a_bad_week_and_an_all_blank_week_is_not_given():
    riverside = listed()
    with pytest.raises(ValidationFailed) as refused:
        partner_hours_update(partner=riverside, days=["09:00-08:00"], open_24h=False)
    assert list(refused.value.fields) == ["day_0"]
    assert Partner.objects.get(pk=riverside.pk).weekly_hours == []
    assert partner_hours_update(partner=riverside, days=[""] * 7, open_24h=False).weekly_hours == []


def test_the_search_marks_clinics_open_now_and_filters_them(shop):
    split = listed(name="Split hours", latitude=31.2310, longitude=121.4740)
    partner_hours_update(partner=split, days=SPLIT, open_24h=False)
    always = listed(name="Always", latitude=31.2320, longitude=121.4740)
    partner_hours_update(partner=always, days=[], open_24h=True)
    unknown = listed(name="Unknown", latitude=31.2330, longitude=121.4740)
    found = {c.name: c.open_now for c in clinics_near(latitude=31.2304, longitude=121.4737, at=MONDAY_10)}
    assert found == {"Split hours": True, "Always": True, "Unknown": None}
    lunch = {c.name: c.open_now for c in clinics_near(latitude=31.2304, longitude=121.4737, at=MONDAY_13)}
    assert lunch == {"Split hours": False, "Always": True, "Unknown": None}
    late = clinics_near(latitude=31.2304, longitude=121.4737, at=SUNDAY_23, open_now_only=True)
    assert [c.name for c in late] == ["Always"]
    for moment in (MONDAY_10, MONDAY_13, SUNDAY_23):  # the database and Python agree
        for clinic in clinics_near(latitude=31.2304, longitude=121.4737, at=moment):
            partner = Partner.objects.get(pk=clinic.id)
            assert clinic.open_now == is_open(partner.weekly_hours, open_24h=partner.open_24h, at=moment)
    assert unknown.pk in [c.id for c in clinics_near(latitude=31.2304, longitude=121.4737, at=MONDAY_10)]


def test_the_emergency_page_and_the_api_show_and_filter_open_now(shop, time_machine):
    time_machine.move_to(MONDAY_13)
    split = listed(name="Split hours", latitude=31.2310, longitude=121.4740)
    partner_hours_update(partner=split, days=SPLIT, open_24h=False)
    always = listed(name="Always", latitude=31.2320, longitude=121.4740)
    partner_hours_update(partner=always, days=[], open_24h=True)
    page = Client(HTTP_HOST=host_of(shop)).get("/emergency/", {"lat": 31.2304, "lng": 121.4737}).content.decode()
    assert "Closed now" in page and "09:00–12:00, 14:00–18:00" in page and "Open 24 hours" in page
    only_open = Client(HTTP_HOST=host_of(shop)).get("/emergency/", {"lat": 31.2304, "lng": 121.4737, "open_now": "on"})
    assert "Split hours" not in only_open.content.decode() and "Always" in only_open.content.decode()
    api = APIClient(HTTP_HOST=host_of(shop))
    body = api.get("/api/v1/partners/clinics/nearby", {"lat": 31.2304, "lng": 121.4737}).json()["results"]
    assert [(row["name"], row["open_now"]) for row in body] == [("Split hours", False), ("Always", True)]
    assert body[0]["weekly_hours"][0] == [["09:00", "12:00"], ["14:00", "18:00"]]
    filtered = api.get("/api/v1/partners/clinics/nearby", {"lat": 31.2304, "lng": 121.4737, "open_now": "true"}).json()["results"]
    assert [row["name"] for row in filtered] == ["Always"]


@pytest.mark.parametrize(("text", "day"), [
    ("Mon–Sun 09:00–21:00", [["09:00", "21:00"]]),
    ("每天 9:00-21:00", [["09:00", "21:00"]]),
    ("10:00–20:00 daily", [["10:00", "20:00"]]),
    ("Weekdays 9-5, weekends closed", None),
    ("", None),
])  # fmt: skip
def test_free_text_hours_become_a_week_only_when_they_are_one_range_every_day(text, day):
    week = week_from_text(text)
    assert week == ([day] * 7 if day else [])


def test_a_booking_when_the_partner_is_closed_is_refused_with_its_hours(shop):
    import uuid

    from pawpact.core.clock import FixedClock
    from pawpact.partners.bookings import partner_booking_send
    from pawpact.partners.models import PartnerBooking

    riverside = listed(name="Riverside Vet")
    partner_hours_update(partner=riverside, days=SPLIT, open_24h=False)
    send = dict(shop=shop, partner_id=riverside.pk, customer_uuid=uuid.uuid4(), customer_name="Lin Wei",
                pet_name="Mochi", service="checkup", clock=FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC)))  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        partner_booking_send(**send, scheduled_at=MONDAY_13)  # the lunch break
    assert refused.value.fields["scheduled_at"] == [
        "Riverside Vet is closed at that time. Its hours on Monday: 09:00–12:00, 14:00–18:00."]
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        partner_booking_send(**send, scheduled_at=SUNDAY_23)
    assert refused.value.fields["scheduled_at"] == ["Riverside Vet 该时段不营业。周日的营业时间：休息。"]
    assert not PartnerBooking.objects.exists()
    assert partner_booking_send(**send, scheduled_at=MONDAY_10).scheduled_at == MONDAY_10
