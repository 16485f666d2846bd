import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from pawpact.core.clock import default_clock
from pawpact.partners.bookings import (
    partner_booking_cancel,
    partner_booking_complete,
    partner_booking_send,
    rating_submit,
)
from pawpact.partners.enums import BookingStatus, ChangeReason, PartnerState
from pawpact.partners.errors import (
    AlreadyRated,
    PartnerBookingNotFound,
    PartnerInvalid,
    PartnerStateConflict,
    RatingRefused,
)
from pawpact.partners.models import Partner, PartnerBooking, PartnerRating, PartnerStateChange
from pawpact.partners.selectors import clearing_statement, customer_bookings, shop_bookings
from pawpact.partners.services import partner_delist
from pawpact.platform.models import PlatformJournal, PlatformLedgerLine
from pawpact.platform.partner_clearing import clearing_key, partner_clearing_post
from tests.partners.factories import booking, listed

pytestmark = pytest.mark.django_db(transaction=False)


def _rate(shop, partner, stars):
    done = booking(shop, partner)
    return rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=stars)


def _state(partner):
    return Partner.objects.get(pk=partner.pk).state


def test_four_low_ratings_are_no_verdict_the_fifth_puts_the_partner_under_rectification(shop, django_user_model):
    django_user_model.objects.create_user("ops@pawpact.test", "x" * 12, name="Ops", is_staff=True)
    partner = listed()
    for _ in range(4):
        _rate(shop, partner, 3)
    assert _state(partner) == PartnerState.LISTED  # 4 ratings: too few to judge
    _rate(shop, partner, 3)
    assert _state(partner) == PartnerState.RECTIFICATION
    change = PartnerStateChange.objects.filter(partner=partner).first()
    assert (change.reason, change.average) == (ChangeReason.LOW_RATING, Decimal("3.00"))


def test_below_four_a_second_time_in_a_row_delists(shop):
    partner = listed()
    for _ in range(5):
        _rate(shop, partner, 3)
    assert _state(partner) == PartnerState.RECTIFICATION
    # The verdict under rectification counts only the ratings since it began: 4 are not enough.
    for stars in (5, 4, 3, 3):
        _rate(shop, partner, stars)
    assert _state(partner) == PartnerState.RECTIFICATION
    _rate(shop, partner, 4)  # 5, 4, 3, 3, 4 → 3.80
    assert _state(partner) == PartnerState.DELISTED
    last = PartnerStateChange.objects.filter(partner=partner).first()
    assert (last.reason, last.average) == (ChangeReason.LOW_RATING_AGAIN, Decimal("3.80"))


def test_good_ratings_under_rectification_list_the_partner_again(shop):
    partner = listed()
    for _ in range(5):
        _rate(shop, partner, 2)
    for _ in range(5):
        _rate(shop, partner, 5)
    assert _state(partner) == PartnerState.LISTED
    reasons = list(PartnerStateChange.objects.filter(partner=partner).values_list("reason", flat=True)[:2])
    assert reasons == [ChangeReason.RECOVERED, ChangeReason.LOW_RATING]


def test_the_rolling_window_is_the_last_twenty_ratings(shop):
    partner = listed()
    for _ in range(20):
        _rate(shop, partner, 5)
    for _ in range(10):
        _rate(shop, partner, 3)  # the last 20: ten 5s and ten 3s → exactly 4.00, not below
    assert _state(partner) == PartnerState.LISTED
    _rate(shop, partner, 3)  # nine 5s and eleven 3s → 3.90
    assert _state(partner) == PartnerState.RECTIFICATION
    assert PartnerStateChange.objects.filter(partner=partner).first().average == Decimal("3.90")


def test_a_state_change_emails_the_platform_admins(shop, django_user_model, django_capture_on_commit_callbacks):
    django_user_model.objects.create_user("ops@pawpact.test", "x" * 12, name="Ops", is_staff=True)
    partner = listed()
    with django_capture_on_commit_callbacks(execute=True):
        partner_delist(partner=partner, note="Licence expired")
    assert [m.to for m in mail.outbox] == [["ops@pawpact.test"]]
    assert "Riverside Vet" in mail.outbox[0].subject


@pytest.mark.parametrize("stars", [0, 6, "five", None])
def test_a_rating_outside_one_to_five_is_refused(shop, stars):
    partner = listed()
    done = booking(shop, partner)
    with pytest.raises(RatingRefused):
        rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=stars)
    assert PartnerRating.objects.count() == 0


def test_a_service_not_completed_cannot_be_rated(shop):
    partner = listed()
    sent = booking(shop, partner, completed=False)
    with pytest.raises(RatingRefused):
        rating_submit(shop=shop, booking_id=sent.pk, customer_uuid=sent.customer_uuid, stars=5)
    assert PartnerRating.objects.count() == 0


def test_a_second_rating_of_the_same_service_is_refused(shop):
    partner = listed()
    done = booking(shop, partner)
    rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=5)
    with pytest.raises(AlreadyRated):
        rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=1)
    assert list(PartnerRating.objects.values_list("stars", flat=True)) == [5]


def test_another_customer_or_shop_cannot_rate_a_booking(shop, other_shop):
    partner = listed()
    done = booking(shop, partner)
    with pytest.raises(PartnerBookingNotFound):
        rating_submit(shop=shop, booking_id=done.pk, customer_uuid=uuid.uuid4(), stars=5)
    with pytest.raises(PartnerBookingNotFound):
        rating_submit(shop=other_shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=5)
    assert PartnerRating.objects.count() == 0


def test_a_booking_to_a_delisted_partner_is_refused(shop):
    partner = listed()
    partner_delist(partner=partner)
    with pytest.raises(PartnerStateConflict):
        booking(shop, partner, completed=False)
    assert PartnerBooking.objects.count() == 0


def test_a_booking_for_a_service_not_offered_or_in_the_past_is_refused(shop):
    partner = listed(services=("grooming",), kind="groomer")
    with pytest.raises(PartnerInvalid) as error:
        partner_booking_send(shop=shop, partner_id=partner.pk, customer_uuid=uuid.uuid4(), customer_name="A",
                             pet_name="B", service="surgery",
                             scheduled_at=default_clock.now() - timedelta(hours=1))  # fmt: skip
    assert set(error.value.fields) == {"service", "scheduled_at"}
    assert PartnerBooking.objects.count() == 0


def test_one_shop_never_sees_or_changes_another_shops_partner_bookings(shop, other_shop):
    partner = listed()
    mine = booking(shop, partner, completed=False)
    assert list(shop_bookings(shop_id=other_shop.pk)) == []
    assert list(customer_bookings(shop_id=other_shop.pk, customer_uuid=mine.customer_uuid)) == []
    with pytest.raises(PartnerBookingNotFound):
        partner_booking_complete(shop=other_shop, booking_id=mine.pk)
    with pytest.raises(PartnerBookingNotFound):
        partner_booking_cancel(shop=other_shop, booking_id=mine.pk)
    assert PartnerBooking.objects.get(pk=mine.pk).status == BookingStatus.REQUESTED


def test_an_entitlement_redeemed_at_a_partner_is_cleared_once_with_a_balanced_journal(shop, other_shop):
    partner = listed(price_minor=8000)
    done = booking(shop, partner, with_entitlement=True)
    assert done.price_minor == 8000
    journal = PlatformJournal.objects.get(idempotency_key=clearing_key(done.pk))
    lines = sorted(PlatformLedgerLine.objects.filter(journal=journal).values_list("account", "amount_minor"))
    assert lines == [("clearing_receivable", 8000), ("partner_payable", -8000)]
    assert journal.shop_id == shop.pk

    # Completing again, or a retried clearing, moves nothing more.
    partner_booking_complete(shop=shop, booking_id=done.pk)
    partner_clearing_post(booking_id=done.pk)
    assert PlatformJournal.objects.filter(kind="partner.clearing").count() == 1
    assert PlatformLedgerLine.objects.filter(journal__kind="partner.clearing").count() == 2

    booking(shop, partner, with_entitlement=False)  # paid by the customer: nothing to clear
    booking(other_shop, partner, with_entitlement=True)
    booking(shop, partner, with_entitlement=True)
    month = default_clock.today()
    by_shop = {line.counterparty: (line.bookings, line.amount_minor)
               for line in clearing_statement(month=month, partner_id=partner.pk)}  # fmt: skip
    assert by_shop == {"Alpha Pets": (2, 16000), "Beta Pets": (1, 8000)}
    by_partner = [(line.counterparty, line.bookings, line.amount_minor)
                  for line in clearing_statement(month=month, shop_id=other_shop.pk)]  # fmt: skip
    assert by_partner == [("Riverside Vet", 1, 8000)]
    assert PlatformJournal.objects.filter(kind="partner.clearing").count() == 3
