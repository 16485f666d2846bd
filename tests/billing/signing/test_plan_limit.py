"""The shop's Pawpact plan caps its active contracts (Starter: 200)."""
from datetime import date

import pytest
from django.db import connection

from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import SigningBlocked
from pawpact.billing.models import Contract
from pawpact.billing.services.signing import application_create
from pawpact.platform.models import SaasPlan, ShopSubscription
from tests.billing.signing.test_signing_flow import _adopter


@pytest.fixture
def capped_at_one(shop):
    plan = SaasPlan.objects.create(code="tiny", name="Tiny", monthly_price_minor=100, max_contracts=1)
    ShopSubscription.objects.create(
        shop=shop, plan=plan, trial_ends_on=date(2026, 4, 1),
        current_period_start=date(2026, 3, 1), current_period_end=date(2026, 4, 1),
    )  # fmt: skip


def test_signing_stops_at_the_plans_active_contract_limit(capped_at_one, basic, clock):
    customer, pet = _adopter("999")
    first = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    Contract.objects.filter(pk=first.pk).update(status=ContractStatus.ACTIVE)
    other, other_pet = _adopter("998")
    before = Contract.objects.count()

    with pytest.raises(SigningBlocked, match="allows 1 active contracts") as refused:
        application_create(customer=other, pet=other_pet, plan_version_id=basic.pk, clock=clock)

    assert refused.value.code == "plan_limit_reached"
    assert Contract.objects.count() == before
    assert connection.schema_name == "shop_alpha"
