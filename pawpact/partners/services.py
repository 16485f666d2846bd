"""Onboarding and state changes of service partners (platform console), and their ratings.

Ratings rule (docs/partners.md): a partner is judged on its last 20 ratings of the last
90 days, one per customer (each customer's latest), and only once 5 different customers
have rated it (fewer is no data, not a verdict). A listed
partner whose average falls below 4 stars is put under rectification; from then on it
is judged on the ratings received since, again once there are 5: below 4 a second time
in a row delists it automatically, 4 or more lists it again. Every change is kept with
the average that caused it and notified to the platform admins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Avg
from django.utils.translation import gettext as _

from pawpact.core.clock import default_clock
from pawpact.partners.enums import ChangeReason, PartnerKind, PartnerService, PartnerState, StandardItem
from pawpact.partners.errors import COORDINATE_OUT_OF_RANGE, PartnerInvalid, PartnerStateConflict
from pawpact.partners.models import Partner, PartnerRating, PartnerStateChange
from pawpact.partners.notifications import admins_notify

WINDOW_RATINGS = 20
WINDOW_DAYS = 90
# Different customers needed for a verdict. One unhappy customer rating several visits must
# not move a partner on their own; five independent voices is the usual floor of review
# platforms before a score is shown, and a small clinic still reaches it within 90 days.
MIN_RATINGS = 5
THRESHOLD = Decimal(4)
LICENCE_MAX_BYTES = 5 * 1024 * 1024


def coordinates_errors(latitude, longitude) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = [str(COORDINATE_OUT_OF_RANGE[name])]
            continue
        if math.isnan(number) or not -bound <= number <= bound:
            errors[name] = [str(COORDINATE_OUT_OF_RANGE[name])]
    return errors


def _licence_errors(upload: UploadedFile | None) -> list[str]:
    if upload is None:
        return [_("Upload the licence document.")]
    if upload.size > LICENCE_MAX_BYTES:
        return [_("The file may be at most 5 MB.")]
    head = upload.read(8)
    upload.seek(0)
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff")):
        return []
    return [_("Upload a PDF, PNG or JPEG file.")]


def _onboard_errors(*, kind, name, phone, address, latitude, longitude, services, licence_number, licence_file):
    errors = coordinates_errors(latitude, longitude)
    if kind not in PartnerKind.values:
        errors["kind"] = [_("Choose a clinic or a groomer.")]
    for field, value in (("name", name), ("phone", phone), ("address", address), ("licence_number", licence_number)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if not services or any(service not in PartnerService.values for service in services):
        errors["services"] = [_("Choose at least one service from the list.")]
    if problems := _licence_errors(licence_file):
        errors["licence_file"] = problems
    return errors


def _change(partner: Partner, *, to_state: str, reason: str, at: datetime, average=None, note: str = ""):
    change = PartnerStateChange.objects.create(
        partner=partner, from_state=partner.state, to_state=to_state, reason=reason, average=average,
        note=note[:255], at=at,
    )  # fmt: skip
    partner.state = to_state
    return change


def partner_onboard(
    *, kind: str, name: str, phone: str, address: str, latitude, longitude, services: list[str],
    licence_number: str, licence_file: UploadedFile | None, open_24h: bool = False,
    entitlement_price_minor: int = 0, clock=default_clock,
) -> Partner:  # fmt: skip
    """Record an application: nothing is written unless every field is acceptable."""
    errors = _onboard_errors(kind=kind, name=name, phone=phone, address=address, latitude=latitude,
                             longitude=longitude, services=services, licence_number=licence_number,
                             licence_file=licence_file)  # fmt: skip
    if entitlement_price_minor is None or int(entitlement_price_minor) < 0:
        errors["entitlement_price"] = [_("The price cannot be negative.")]
    if errors:
        raise PartnerInvalid(_("Check the highlighted fields."), fields=errors)
    with transaction.atomic():
        partner = Partner(
            kind=kind, name=name.strip(), phone=phone.strip(), address=address.strip(), latitude=float(latitude),
            longitude=float(longitude), services=sorted(set(services)), licence_number=licence_number.strip(),
            licence_file=licence_file, open_24h=open_24h, entitlement_price_minor=int(entitlement_price_minor),
            created_at=clock.now(), state=PartnerState.APPLIED,
        )  # fmt: skip
        partner.save()
        PartnerStateChange.objects.create(partner=partner, to_state=PartnerState.APPLIED,
                                          reason=ChangeReason.ONBOARDED, at=clock.now())  # fmt: skip
    return partner


def _locked(partner: Partner, *allowed: str) -> Partner:
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.state not in allowed:
        raise PartnerStateConflict(
            _("This partner is %(state)s; that cannot be done now.") % {"state": locked.get_state_display()}
        )
    return locked


def partner_verify(*, partner: Partner, checklist: list[str], clock=default_clock) -> Partner:
    """Applied → verified, once every item of the service standard is met."""
    missing = [str(item.label) for item in StandardItem if item.value not in checklist]
    if missing:
        raise PartnerInvalid(
            _("The service standard is not met yet."), fields={"checklist": [_("Missing: %s") % ", ".join(missing)]}
        )
    with transaction.atomic():
        locked = _locked(partner, PartnerState.APPLIED)
        locked.checklist = sorted(set(checklist))
        _change(locked, to_state=PartnerState.VERIFIED, reason=ChangeReason.VERIFIED, at=clock.now())
        locked.save(update_fields=["checklist", "state"])
    return locked


def partner_publish(*, partner: Partner, clock=default_clock) -> Partner:
    """Verified → listed: shops can book it, customers find it."""
    with transaction.atomic():
        locked = _locked(partner, PartnerState.VERIFIED)
        _change(locked, to_state=PartnerState.LISTED, reason=ChangeReason.LISTED, at=clock.now())
        locked.save(update_fields=["state"])
    return locked


def partner_delist(*, partner: Partner, note: str = "", clock=default_clock) -> Partner:
    with transaction.atomic():
        locked = _locked(partner, PartnerState.LISTED, PartnerState.RECTIFICATION, PartnerState.VERIFIED)
        change = _change(locked, to_state=PartnerState.DELISTED, reason=ChangeReason.DELISTED_BY_ADMIN,
                         at=clock.now(), note=note)  # fmt: skip
        locked.rectification_started_at = None
        locked.save(update_fields=["state", "rectification_started_at"])
        admins_notify(change)
    return locked


def partner_relist(*, partner: Partner, note: str = "", clock=default_clock) -> Partner:
    """Delisted → listed, with a clean slate: earlier ratings no longer count against it."""
    with transaction.atomic():
        locked = _locked(partner, PartnerState.DELISTED)
        change = _change(locked, to_state=PartnerState.LISTED, reason=ChangeReason.RELISTED_BY_ADMIN,
                         at=clock.now(), note=note)  # fmt: skip
        locked.rectification_started_at = clock.now()
        locked.save(update_fields=["state", "rectification_started_at"])
        admins_notify(change)
    return locked


# --- ratings -------------------------------------------------------------------------------


def _average(ratings) -> Decimal | None:
    stars = list(ratings.values_list("stars", flat=True))
    if len(stars) < MIN_RATINGS:
        return None
    return (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def one_voice_per_customer(ratings):
    """Each customer's latest rating among `ratings` (a customer is one shop's customer uuid)."""
    customer = ("shop_id", "booking__customer_uuid")
    latest = ratings.order_by(*customer, "-created_at", "-id").distinct(*customer).values_list("id", flat=True)
    return PartnerRating.objects.filter(id__in=list(latest))


def rolling_window(*, partner: Partner, now: datetime):
    """The ratings the rule judges now: one per customer, the latest 20 of the last 90 days
    (under rectification, or after recovering, only those since that started)."""
    recent = PartnerRating.objects.filter(partner=partner, created_at__gte=now - timedelta(days=WINDOW_DAYS))
    if partner.rectification_started_at is not None:
        recent = recent.filter(created_at__gte=partner.rectification_started_at)
    ids = one_voice_per_customer(recent).order_by("-created_at", "-id").values_list("id", flat=True)[:WINDOW_RATINGS]
    return PartnerRating.objects.filter(id__in=list(ids))


def rolling_average(*, partner: Partner, now: datetime) -> Decimal | None:
    """The average of the window above; None until 5 different customers are in it."""
    return _average(rolling_window(partner=partner, now=now))


def rating_evaluate(*, partner: Partner, now: datetime) -> PartnerStateChange | None:
    """Apply the ratings rule to a locked partner; the change made, if any."""
    if partner.state not in (PartnerState.LISTED, PartnerState.RECTIFICATION):
        return None
    average = rolling_average(partner=partner, now=now)
    if average is None:
        return None
    if partner.state == PartnerState.LISTED and average < THRESHOLD:
        change = _change(partner, to_state=PartnerState.RECTIFICATION, reason=ChangeReason.LOW_RATING,
                         average=average, at=now)  # fmt: skip
        partner.rectification_started_at = now
    elif partner.state == PartnerState.RECTIFICATION and average < THRESHOLD:
        change = _change(partner, to_state=PartnerState.DELISTED, reason=ChangeReason.LOW_RATING_AGAIN,
                         average=average, at=now)  # fmt: skip
        partner.rectification_started_at = None
    elif partner.state == PartnerState.RECTIFICATION:
        change = _change(partner, to_state=PartnerState.LISTED, reason=ChangeReason.RECOVERED, average=average, at=now)
        partner.rectification_started_at = now  # the next verdict counts only ratings from here on
    else:
        return None
    partner.save(update_fields=["state", "rectification_started_at"])
    admins_notify(change)
    return change


@dataclass(frozen=True)
class RatingStanding:
    """Where a partner stands under the ratings rule: the average judged (None: no verdict
    yet), how many customers are in the window, how many a verdict needs, and since when
    ratings count (None: the last 90 days)."""

    average: Decimal | None
    customers: int
    needed: int
    since: datetime | None


def rating_standing(*, partner: Partner, now: datetime) -> RatingStanding:
    window = rolling_window(partner=partner, now=now)
    return RatingStanding(average=_average(window), customers=window.count(), needed=MIN_RATINGS,
                          since=partner.rectification_started_at)  # fmt: skip


def partner_average_display(partner: Partner) -> Decimal | None:
    return PartnerRating.objects.filter(partner=partner).aggregate(avg=Avg("stars"))["avg"]
