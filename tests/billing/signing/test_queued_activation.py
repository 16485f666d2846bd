"""A contract whose customer signed a WeChat agreement starts by itself once WeChat's notice
period is over: the scheduled job debits through the agreement (against the local fake
WeChat Pay), within 07:00–22:00 only, once, and for its own shop only."""
from datetime import UTC, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.billing.enums import AttemptStatus, ContractStatus, DepositStatus, PeriodStatus
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, Journal
from pawpact.billing.selectors import activation_starts_on
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.billing.services.queued_activation import queued_activation_run
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.billing.tasks import queued_activation_dispatch_task
from pawpact.core.clock import FixedClock
from pawpact.messaging.models import Message
from tests.api.test_billing_api import api
from tests.billing.debits.factories import contract_create
from tests.conftest import SHOP_PASSWORD
from tests.payments.gateways import fake_wechat, wechat_credentials  # noqa: F401  (fixture)
from tests.payments.test_wechat import _deliver

pytestmark = pytest.mark.django_db
SIGNED_AT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 11:00 Beijing
NEXT_DAY = SIGNED_AT + timedelta(days=1)
MONTHLY = 39_900


@pytest.fixture
def shop_wechat(shop, fake_wechat):  # noqa: F811
    with schema_context(shop.schema_name):
        wechat_credentials(shop, fake_wechat)
    return fake_wechat


def _agreement_signed(shop, gateway, time_machine, *, deposit_minor=0, behaviour="success", at=SIGNED_AT):
    """A signed contract; the customer signs the WeChat agreement at `at` and never comes back."""
    time_machine.move_to(at)
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED, with_calendar=False, deposit_minor=deposit_minor,
                                   deposit_status=DepositStatus.DUE if deposit_minor else DepositStatus.WAIVED)
        start = agreement_sign_begin(contract=contract, rail="wechat")
    presign_id = start.url.rsplit("/", 1)[1]
    gateway.presigns[presign_id]["behaviour"] = behaviour
    assert _deliver(shop, gateway.customer_signs(presign_id)).status_code == 204
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.payment_method.rail == "wechat" and at <= contract.activation_queued_at < at + timedelta(minutes=5)
        return contract


def _run(shop, at):
    with schema_context(shop.schema_name):
        return queued_activation_run(clock=FixedClock(at))


def _moved(contract):
    return (
        list(DebitAttempt.objects.filter(period__contract=contract).values_list("status", "amount_minor")),
        Journal.objects.filter(contract=contract).count(),
    )


def test_the_plan_starts_by_itself_the_day_after_the_notice_and_only_once(shop, shop_wechat, time_machine):
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    first = _run(shop, SIGNED_AT)  # the notice goes out; no debit today
    assert (first.started, first.waiting) == (0, 1) and shop_wechat.orders == {}
    assert list(shop_wechat.notices.values()) == [MONTHLY]
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.SIGNED
        assert activation_starts_on(contract) == NEXT_DAY.date()

    started = _run(shop, NEXT_DAY)
    again = _run(shop, NEXT_DAY + timedelta(minutes=30))  # the next run moves nothing
    assert (started.started, again.started, again.waiting) == (1, 0, 0)
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        period = DebitPeriod.objects.get(contract=contract, number=1)
        assert (contract.status, contract.activation_queued_at, activation_starts_on(contract)) == (
            ContractStatus.ACTIVE, None, None)
        assert (period.status, period.amount_minor) == (PeriodStatus.PAID, MONTHLY)
        assert _moved(contract) == ([(AttemptStatus.SUCCEEDED, MONTHLY)], 2)  # activation + period 1
        assert unbalanced_journals() == []
        sms = Message.objects.get(customer=contract.customer, topic="activation_started")
        assert "399.00" in sms.body
    (order,) = shop_wechat.orders.values()
    assert (order["trade_state"], order["amount"]["total"]) == ("SUCCESS", MONTHLY)


def test_a_deposit_gets_its_own_notice_then_period_1_its_own(shop, shop_wechat, time_machine):
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=50_000)
    assert _run(shop, SIGNED_AT).waiting == 1
    assert list(shop_wechat.notices.values()) == [50_000]  # the deposit's notice; no calendar yet
    with schema_context(shop.schema_name):
        assert not DebitPeriod.objects.filter(contract=contract).exists()
        assert activation_starts_on(Contract.objects.get(pk=contract.pk)) == (SIGNED_AT + timedelta(days=2)).date()
    assert _run(shop, NEXT_DAY).waiting == 1  # the deposit is debited; period 1's notice goes out
    assert list(shop_wechat.notices.values()) == [MONTHLY]
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert (contract.status, contract.deposit_status) == (ContractStatus.SIGNED, DepositStatus.HELD)
    assert _run(shop, NEXT_DAY + timedelta(days=1)).started == 1
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.ACTIVE and unbalanced_journals() == []
    assert sorted(order["amount"]["total"] for order in shop_wechat.orders.values()) == [MONTHLY, 50_000]


def test_nothing_happens_outside_wechats_hours(shop, shop_wechat, time_machine):
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    _run(shop, SIGNED_AT)
    night = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 23:00 Beijing, a day after the notice
    report = _run(shop, night)
    assert (report.started, report.waiting) == (0, 1) and shop_wechat.orders == {}
    with schema_context(shop.schema_name):
        assert _moved(contract) == ([], 0)
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.SIGNED


def test_a_refused_first_debit_tells_the_customer_and_is_not_retried(shop, shop_wechat, time_machine):
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    _run(shop, SIGNED_AT)
    shop_wechat.notices.clear()  # WeChat lost the notice: it refuses the debit
    report = _run(shop, NEXT_DAY)
    assert (report.started, report.failed) == (0, 1)
    assert _run(shop, NEXT_DAY + timedelta(hours=1)).failed == 0
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert (contract.status, contract.activation_queued_at) == (ContractStatus.SIGNED, None)
        attempts, journals = _moved(contract)
        assert [status for status, _ in attempts] == [AttemptStatus.FAILED] and journals == 0
        assert Message.objects.filter(customer=contract.customer, topic="activation_failed").count() == 1


def test_staff_withdraw_a_waiting_contract_and_the_agreement_ends(shop, shop_wechat, time_machine):
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    _run(shop, SIGNED_AT)
    with schema_context(shop.schema_name):
        contract_withdraw(contract=contract)
        contract.refresh_from_db()
        assert (contract.status, contract.activation_queued_at) == (ContractStatus.WITHDRAWN, None)
        assert not contract.payment_method.is_active
        token = contract.payment_method.token
    assert shop_wechat.contracts[token]["state"] == "TERMINATED"
    assert _run(shop, NEXT_DAY).started == 0 and shop_wechat.orders == {}


def test_one_shops_job_never_touches_another_shops_contracts(shop, other_shop, fake_wechat, time_machine):  # noqa: F811
    with schema_context(shop.schema_name):
        wechat_credentials(shop, fake_wechat)
    with schema_context(other_shop.schema_name):
        wechat_credentials(other_shop, fake_wechat, mchid="1900000209")
    ours = _agreement_signed(shop, fake_wechat, time_machine)
    theirs = _agreement_signed(other_shop, fake_wechat, time_machine)
    _run(shop, SIGNED_AT)
    assert list(fake_wechat.notices) == [ours.payment_method.token]
    assert _run(shop, NEXT_DAY).started == 1
    with schema_context(other_shop.schema_name):
        theirs.refresh_from_db()
        assert theirs.status == ContractStatus.SIGNED and theirs.activation_queued_at is not None
        assert _moved(theirs) == ([], 0)


def test_the_beat_job_fans_out_to_every_ready_shop(shop, shop_wechat, time_machine, monkeypatch):
    sent = []
    monkeypatch.setattr("pawpact.billing.tasks.fan_out_to_ready_shops", lambda task, **kw: sent.append(task.name) or 1)
    assert queued_activation_dispatch_task() == 1 and sent == ["billing.queued_activation_shop"]


def test_the_api_shows_the_wait_to_the_shop_only(shop, other_shop, shop_wechat, time_machine, shop_staff):
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    _run(shop, SIGNED_AT)
    answer = api(shop, shop_staff.api_token).get(f"/api/v1/contracts/{contract.uuid}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["activation_starts_on"]) == ("signed", NEXT_DAY.date().isoformat())
    assert body["activation_queued_at"] is not None
    with schema_context(other_shop.schema_name):
        user = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        token = api_token_issue(user=user)
    assert api(other_shop, token).get(f"/api/v1/contracts/{contract.uuid}").status_code == 404
