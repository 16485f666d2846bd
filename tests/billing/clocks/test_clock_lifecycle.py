"""Test clocks run the end of a contract as production does: past the last period the
completion run completes it (deposit refunded), a month before it the renewal offer goes
out, and an accepted offer becomes the renewal contract on the same clock."""
from datetime import datetime, time

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus, TerminationKind
from pawpact.billing.models import Contract, DebitAttempt, Journal, RenewalOffer, Termination
from pawpact.billing.services import test_clocks as clocks
from pawpact.billing.services.completion import completion_run_shop
from pawpact.billing.services.renewal import renewal_accept, renewal_run_shop
from tests.billing.debits.factories import SIGNED_ON, contract_create, plan_version_create
from tests.billing.lifecycle.dunning.helpers import BEIJING

NOON = datetime.combine(SIGNED_ON, time(12, 0), tzinfo=BEIJING)
# Period 12 is due 15 Dec 2026 and charged at 10:00; the completion run comes at 06:30 next day.
AFTER_LAST_DEBIT = datetime(2026, 12, 15, 12, 0, tzinfo=BEIJING)
AFTER_COMPLETION_RUN = datetime(2026, 12, 16, 7, 0, tzinfo=BEIJING)
# The renewal offer goes out a month before the last due date, at the 08:00 renewal run.
AFTER_OFFER = datetime(2026, 11, 15, 9, 0, tzinfo=BEIJING)


@pytest.fixture
def in_shop(shop):
    with schema_context(shop.schema_name):
        yield shop


def _clocked():
    contract = contract_create(plan_version=plan_version_create(debit_day=15, periods=12))
    clock = clocks.test_clock_create(name="a whole year", frozen_time=NOON)
    clocks.test_clock_attach(test_clock=clock, contract=contract)
    return clock, contract


def _status(contract) -> str:
    return Contract.objects.get(pk=contract.pk).status


def test_advancing_past_the_last_period_completes_the_contract_once(in_shop):
    clock, contract = _clocked()
    other = contract_create(plan_version=plan_version_create(debit_day=15, periods=12))

    clocks.test_clock_advance(test_clock=clock, frozen_time=AFTER_LAST_DEBIT)
    # The last period is paid, but the completion run of the next morning has not come yet.
    assert _status(contract) == ContractStatus.ACTIVE
    assert set(contract.periods_set.values_list("status", flat=True)) == {PeriodStatus.PAID}

    clocks.test_clock_advance(test_clock=clock, frozen_time=AFTER_COMPLETION_RUN)
    assert _status(contract) == ContractStatus.COMPLETED
    termination = Termination.objects.get(contract=contract)
    assert (termination.kind, termination.remaining_minor, termination.penalty_minor) == (TerminationKind.COMPLETION, 0, 0)
    assert termination.executed_at.astimezone(BEIJING).date() == AFTER_COMPLETION_RUN.date()
    paid = DebitAttempt.objects.filter(period__contract=contract, status="succeeded").count()
    journals = Journal.objects.filter(contract=contract).count()
    assert paid == 12
    # The offer went out a month before the last debit, on the clock's day.
    offer = RenewalOffer.objects.get(contract=contract)
    assert offer.sent_at.astimezone(BEIJING).date() == AFTER_OFFER.date()
    assert _status(other) == ContractStatus.ACTIVE and not RenewalOffer.objects.filter(contract=other).exists()

    clocks.test_clock_advance(test_clock=clock, months=1)
    assert Termination.objects.filter(contract=contract).count() == 1
    assert DebitAttempt.objects.filter(period__contract=contract).count() == paid
    assert Journal.objects.filter(contract=contract).count() == journals


def test_the_real_runs_leave_a_clocked_contract_alone(in_shop):
    clock, contract = _clocked()
    clocks.test_clock_advance(test_clock=clock, frozen_time=AFTER_LAST_DEBIT)
    assert completion_run_shop().completed == []
    assert renewal_run_shop().offers_sent == 0
    assert _status(contract) == ContractStatus.ACTIVE
    assert Termination.objects.filter(contract=contract).count() == 0


def test_an_accepted_offer_renews_on_the_same_clock_when_the_contract_completes(in_shop):
    clock, contract = _clocked()
    clocks.test_clock_advance(test_clock=clock, frozen_time=AFTER_OFFER)
    offer = RenewalOffer.objects.get(contract=contract)
    assert offer.renewal_contract_id is None
    renewal_accept(offer=offer, option_key="one_month_free")

    clocks.test_clock_advance(test_clock=clock, frozen_time=AFTER_COMPLETION_RUN)

    offer.refresh_from_db()
    renewal = offer.renewal_contract
    assert _status(contract) == ContractStatus.COMPLETED
    assert renewal is not None and renewal.renewal_of_id == contract.pk
    assert (renewal.status, renewal.test_clock_id, renewal.livemode) == (ContractStatus.DRAFT, clock.pk, False)
    assert (renewal.customer_id, renewal.pet_id) == (contract.customer_id, contract.pet_id)
    assert Contract.objects.filter(renewal_of=contract).count() == 1
