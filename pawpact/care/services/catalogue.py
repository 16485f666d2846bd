"""The shop's service types and the resources that perform them, with hours and days off."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.care.enums import BookingStatus, ServiceKind
from pawpact.care.errors import BookingInvalid
from pawpact.care.models import DayOff, Resource, ServiceType, WorkingHours
from pawpact.core.errors import ValidationFailed

MAX_PRICE_MINOR = 10**8  # ¥1,000,000: a typo guard, far above any service


@transaction.atomic
def service_type_create(*, name: str, kind: str, duration_minutes: int, price_minor: int) -> ServiceType:
    errors = _service_errors(name=name, kind=kind, duration_minutes=duration_minutes, price_minor=price_minor)
    if errors:
        raise ValidationFailed(_("Check the service."), fields=errors)
    return ServiceType.objects.create(
        name=name.strip(), kind=kind, duration_minutes=duration_minutes, price_minor=price_minor
    )


def _hours_errors(hours: Sequence[tuple[int, time, time]]) -> list[str]:
    messages = []
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in hours:
        if not 0 <= weekday <= 6:
            messages.append(_("Weekdays run from 0 (Monday) to 6 (Sunday)."))
        elif opens >= closes:
            messages.append(_("A window must open before it closes."))
        else:
            by_day.setdefault(weekday, []).append((opens, closes))
    for windows in by_day.values():
        windows.sort()
        if any(later[0] < earlier[1] for earlier, later in zip(windows, windows[1:], strict=False)):
            messages.append(_("Windows of one day must not overlap."))
    return messages


@transaction.atomic
def resource_create(
    *, name: str, services: Sequence[ServiceType], hours: Sequence[tuple[int, time, time]]
) -> Resource:
    """A resource offering `services`, open in `hours`: (weekday 0–6, opens, closes) in shop-local time."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the resource.")]
    messages = _hours_errors(hours)
    if messages:
        errors["hours"] = messages
    if errors:
        raise ValidationFailed(_("Check the resource."), fields=errors)
    resource = Resource.objects.create(name=name.strip())
    resource.services.set(services)
    WorkingHours.objects.bulk_create(
        WorkingHours(resource=resource, weekday=weekday, opens=opens, closes=closes) for weekday, opens, closes in hours
    )
    return resource


@transaction.atomic
def day_off_add(*, resource: Resource, day: date, reason: str = "") -> DayOff:
    """Close a resource for a day. Appointments already booked that day stay: staff move them first."""
    if resource.bookings.filter(starts_at__date=day, status=BookingStatus.BOOKED).exists():
        message = _("Move or cancel the appointments of that day first.")
        raise BookingInvalid(message, fields={"day": [message]})
    day_off, _created = DayOff.objects.get_or_create(resource=resource, day=day, defaults={"reason": reason[:120]})
    return day_off


def _service_errors(*, name: str, kind: str, duration_minutes: int, price_minor: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the service.")]
    if kind not in ServiceKind.values:
        errors["kind"] = [_("Choose a kind of service.")]
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 1440:
        errors["duration_minutes"] = [_("Between 5 minutes and 24 hours.")]
    if not isinstance(price_minor, int) or not 0 <= price_minor <= MAX_PRICE_MINOR:
        errors["price"] = [_("Enter a price between ¥0 and ¥1,000,000.")]
    return errors


@transaction.atomic
def service_type_update(
    *, service: ServiceType, name: str, kind: str, duration_minutes: int, price_minor: int, is_active: bool
) -> ServiceType:
    """Change a service. Bookings already made keep the price and length they were booked with."""
    errors = _service_errors(name=name, kind=kind, duration_minutes=duration_minutes, price_minor=price_minor)
    if errors:
        raise ValidationFailed(_("Check the service."), fields=errors)
    service = ServiceType.objects.select_for_update().get(pk=service.pk)
    service.name, service.kind, service.duration_minutes = name.strip(), kind, duration_minutes
    service.price_minor, service.is_active = price_minor, is_active
    service.save(update_fields=["name", "kind", "duration_minutes", "price_minor", "is_active"])
    return service


@transaction.atomic
def resource_update(
    *,
    resource: Resource,
    name: str,
    services: Sequence[ServiceType],
    hours: Sequence[tuple[int, time, time]],
    is_active: bool,
) -> Resource:
    """Change a resource's name, services and weekly hours. Appointments already booked stay as they are."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the resource.")]
    messages = _hours_errors(hours)
    if messages:
        errors["hours"] = messages
    if errors:
        raise ValidationFailed(_("Check the resource."), fields=errors)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    resource.name, resource.is_active = name.strip(), is_active
    resource.save(update_fields=["name", "is_active"])
    resource.services.set(services)
    resource.hours.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(resource=resource, weekday=weekday, opens=opens, closes=closes) for weekday, opens, closes in hours
    )
    return resource


@transaction.atomic
def day_off_remove(*, day_off: DayOff) -> None:
    """Open the resource again on that day."""
    DayOff.objects.filter(pk=day_off.pk).delete()
