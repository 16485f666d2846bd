"""The served schema tells the truth: schemathesis (examples, coverage, fuzzing and
stateful phases, bounded) finds no response that breaks it, with a staff token, a
customer token and no token at all."""
import os

import pytest
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.customers.services import customer_create, pet_create
from tests.api import conformance
from tests.conftest import SHOP_PASSWORD, host_of

MAX_EXAMPLES = int(os.environ.get("PAWPACT_SCHEMATHESIS_EXAMPLES", "8"))
PHASES = ("examples", "coverage", "fuzzing", "stateful")


def _customer_token(shop) -> str:
    with schema_context(shop.schema_name):
        user = User.objects.create_user("fuzz-customer@alpha.test", SHOP_PASSWORD, name="Fuzz Customer")
        customer = customer_create(name="Fuzz Customer", phone="13900139000", birth_date=_date(1990), user=user)
        pet_create(owner=customer, name="Mochi", species="cat")
        return api_token_issue(user=user)


def _date(year: int):
    from datetime import date

    return date(year, 1, 1)


@pytest.mark.parametrize("who", ["staff", "customer", "anonymous"])
def test_no_schemathesis_failure(shop, shop_staff, who):
    token = {"staff": lambda: shop_staff.api_token, "customer": lambda: _customer_token(shop), "anonymous": lambda: None}[who]()
    failures = conformance.run(host=host_of(shop), token=token, max_examples=MAX_EXAMPLES, phases=PHASES)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(map(str, failures))
