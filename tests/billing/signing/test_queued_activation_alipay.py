"""An Alipay customer who signs the debit agreement and never comes back to the signing page
still gets the plan started: the agreement's notification queues the contract and the
activation job debits period 1 at its next run (Alipay needs no notice), once."""
from datetime import UTC, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, ContractStatus, DepositStatus
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import Contract, DebitAttempt
from pawpact.billing.selectors import activation_starts_on
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.billing.services.queued_activation import queued_activation_run
from pawpact.core.clock import FixedClock
from pawpact.messaging.models import Message
from tests.billing.debits.factories import contract_create
from tests.payments.gateways import alipay_credentials, fake_alipay  # noqa: F401  (fixture)
from tests.payments.test_alipay import _deliver

pytestmark = pytest.mark.django_db
SIGNED_AT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 11:00 Beijing
MONTHLY = 39_900


def _agreement_signed(shop, gateway, time_machine):
    time_machine.move_to(SIGNED_AT)
    with schema_context(shop.schema_name):
        alipay_credentials(shop, gateway)
        contract = contract_create(status=ContractStatus.SIGNED, with_calendar=False, deposit_status=DepositStatus.WAIVED)
        start = agreement_sign_begin(contract=contract, rail="alipay")
    assert _deliver(shop, gateway.customer_signs(start.url)).status_code == 200
    with schema_context(shop.schema_name):
        return Contract.objects.select_related("payment_method", "customer").get(pk=contract.pk)


def test_the_plan_starts_at_the_jobs_next_run_without_the_customer(shop, fake_alipay, time_machine):
    contract = _agreement_signed(shop, fake_alipay, time_machine)
    assert contract.status == ContractStatus.SIGNED and contract.payment_method.rail == "alipay"
    assert contract.activation_queued_at is not None
    with schema_context(shop.schema_name):
        assert activation_starts_on(contract) is None  # nothing to wait for: no "waiting" notes

    with schema_context(shop.schema_name):
        report = queued_activation_run(clock=FixedClock(SIGNED_AT + timedelta(minutes=20)))
        again = queued_activation_run(clock=FixedClock(SIGNED_AT + timedelta(minutes=50)))
        contract.refresh_from_db()
        attempts = list(DebitAttempt.objects.filter(period__contract=contract).values_list("status", "amount_minor"))
        started = Message.objects.get(customer=contract.customer, topic="activation_started")
        assert (report.started, again.started, again.waiting) == (1, 0, 0)
        assert contract.status == ContractStatus.ACTIVE and contract.activation_queued_at is None
        assert attempts == [(AttemptStatus.SUCCEEDED, MONTHLY)] and unbalanced_journals() == []
        assert "Alipay" in started.body and "WeChat" not in started.body
    assert len(fake_alipay.trades) == 1


def test_a_customer_who_comes_back_first_starts_it_and_the_job_moves_nothing(shop, fake_alipay, time_machine):
    from pawpact.billing.services.activation import contract_activate

    contract = _agreement_signed(shop, fake_alipay, time_machine)
    with schema_context(shop.schema_name):
        contract_activate(contract=contract, clock=FixedClock(SIGNED_AT + timedelta(minutes=1)))
        report = queued_activation_run(clock=FixedClock(SIGNED_AT + timedelta(minutes=20)))
        assert (report.started, report.failed) == (0, 0)
        assert Contract.objects.get(pk=contract.pk).activation_queued_at is None
        assert DebitAttempt.objects.filter(period__contract=contract).count() == 1
    assert len(fake_alipay.trades) == 1
