import itertools
from datetime import UTC, date, datetime

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.customers.services import customer_create

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, Monday 9 March 2026
_phones = itertools.count(1)


@pytest.fixture
def in_shop(shop):
    with schema_context(shop.schema_name):
        yield shop


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def member(*, birth_date: date = date(1990, 7, 7), name: str = "Member"):
    n = next(_phones)
    return customer_create(name=f"{name} {n}", phone=f"139{n:08d}", birth_date=birth_date)
