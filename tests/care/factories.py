"""Rows for the care tests (call inside the shop's schema)."""
import itertools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from pawpact.billing.models import Contract
from pawpact.care.enums import ServiceKind
from pawpact.care.models import Resource, ServiceType
from pawpact.care.services.catalogue import resource_create, service_type_create
from pawpact.customers.enums import Species
from pawpact.customers.models import Customer, Pet
from tests.billing.lifecycle.messages.helpers import active_contract, version_create

BEIJING = ZoneInfo("Asia/Shanghai")
# Saturday 7 March 2026, noon in Beijing. The contracts below were signed on 12 January with
# debit day 10: period 2 runs from 10 February, period 3 from 10 March.
NOW = datetime(2026, 3, 7, 4, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def grooming(price_minor: int = 8_800, minutes: int = 60) -> ServiceType:
    return service_type_create(name="Full groom", kind=ServiceKind.GROOMING, duration_minutes=minutes, price_minor=price_minor)


def groomer(*services: ServiceType, name: str = "Groomer Li") -> Resource:
    """Open every day 09:00–12:00 and 13:00–18:00 (lunch closed)."""
    hours = [(day, time(9), time(12)) for day in range(7)] + [(day, time(13), time(18)) for day in range(7)]
    return resource_create(name=name, services=list(services), hours=hours)


def customer_with_pet() -> tuple[Customer, Pet]:
    n = next(_numbers)
    customer = Customer.objects.create(name=f"Care {n}", phone=f"+86139{n:08d}", birth_date=date(1990, 1, 1))
    return customer, Pet.objects.create(owner=customer, name=f"Mimi {n}", species=Species.CAT)


def contract_with_grooming(quantity: int = 1) -> Contract:
    """An active contract whose plan gives `quantity` groomings a period."""
    version = version_create()
    version.entitlements = [
        {"kind": "food", "item": "Food", "quantity": 1500, "unit": "g"},
        {"kind": "grooming", "item": "Full groom", "quantity": quantity, "unit": "visit"},
    ]
    version.save(update_fields=["entitlements"])
    return active_contract(version=version)
