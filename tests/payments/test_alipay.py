"""The Alipay agreement-debit rail against the local fake gateway (real HTTP, RSA2 both ways)."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, ContractStatus, PeriodStatus
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import DebitAttempt, DebitPeriod, Journal, PaymentMethod, ProviderNotification
from pawpact.billing.services import debit_run as run_module
from pawpact.billing.services.agreements import agreement_end, agreement_sign_begin
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.rail_calls import RailCalls
from pawpact.core.clock import FixedClock
from pawpact.core.money import Money
from pawpact.outbox.services import shop_event_publish
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.enums import DeclineType
from pawpact.payments.errors import RefundFailed
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.golive import credential_verify
from pawpact.sandbox.gateways.alipay import signing_string
from pawpact.sandbox.gateways.base import rsa2_sign, rsa_key_new
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create
from tests.conftest import host_of
from tests.payments.gateways import alipay_credentials

NOW = SIGNING_DAY_NOON


def _signed_agreement(shop, gateway, *, behaviour="success", status=ContractStatus.SIGNED):
    """A contract whose adopter signed an Alipay agreement on the fake gateway (notification delivered)."""
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        start = agreement_sign_begin(contract=contract, rail="alipay", clock=FixedClock(NOW))
    notification = gateway.customer_signs(start.url, behaviour=behaviour)
    response = _deliver(shop, notification)
    assert response.status_code == 200 and response.content == b"success"
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        contract.status = status  # then it started (activation is tested elsewhere)
        contract.save(update_fields=["status"])
        return contract


def _deliver(shop, params):
    schema = connection.schema_name  # a request leaves the connection in the public schema
    response = Client(HTTP_HOST=host_of(shop)).post("/webhooks/alipay/", params)
    connection.set_schema(schema)
    return response


def _first_period(contract):
    return contract.periods_set.order_by("number").first()


@pytest.fixture
def alpha_alipay(shop, fake_alipay):
    alipay_credentials(shop, fake_alipay)
    return fake_alipay


def test_signing_saves_the_agreement_once_and_chooses_it_for_the_contract(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay)
    with schema_context(shop.schema_name):
        method = contract.payment_method
        assert (method.rail, method.livemode, method.is_active) == ("alipay", False, True)
        assert alpha_alipay.agreements[method.token]["external_agreement_no"] == contract.uuid.hex
        # The signing page carried the contract's calendar as the agreement's period rules.
        assert alpha_alipay.agreements[method.token]["single_amount"] == "399.00"
        # Delivered again (Alipay retries until it reads "success"): nothing new.
        url, params = alpha_alipay.notifications[-1]
        assert url == f"http://{host_of(shop)}:8000/webhooks/alipay/"
        assert _deliver(shop, params).content == b"success"
        assert PaymentMethod.objects.filter(rail="alipay").count() == 1
        assert ProviderNotification.objects.filter(provider="alipay").count() == 1


def test_a_debit_is_one_signed_trade_pay_and_a_retry_never_pays_twice(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay, status=ContractStatus.ACTIVE)
    with schema_context(shop.schema_name):
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(NOW))
        assert (attempt.status, attempt.outcome) == (AttemptStatus.SUCCEEDED, "succeeded")
        app_id = alpha_alipay.agreements[contract.payment_method.token]["app_id"]
        trade = alpha_alipay.trades[(app_id, out_trade_no(attempt.idempotency_key))]
        assert (trade["total_amount"], trade["trade_no"]) == ("399.00", attempt.rail_reference)
        # The same key sent again (a worker resumed it): Alipay answers "already paid", no second trade.
        rail = AlipayRail.for_current_shop(livemode=False)
        again = rail.charge(
            token=contract.payment_method.token,
            customer_ref="",
            amount=Money(39_900),
            idempotency_key=attempt.idempotency_key,
            metadata={},
        )
        assert (again.succeeded, again.reference) == (True, attempt.rail_reference)
        assert len(alpha_alipay.trades) == 1 and alpha_alipay.calls["alipay.trade.pay"] == 2
        assert Journal.objects.filter(kind="period.paid").count() == 1 and unbalanced_journals() == []


@pytest.mark.parametrize(("behaviour", "outcome", "decline"), [
    ("insufficient", "ACQ.BUYER_BALANCE_NOT_ENOUGH", DeclineType.SOFT),
    ("hard", "ACQ.AGREEMENT_STATUS_NOT_NORMAL", DeclineType.HARD),
])  # fmt: skip
def test_declines_are_soft_or_hard(shop, alpha_alipay, behaviour, outcome, decline):
    contract = _signed_agreement(shop, alpha_alipay, behaviour=behaviour, status=ContractStatus.ACTIVE)
    with schema_context(shop.schema_name):
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(NOW))
        assert (attempt.status, attempt.outcome, attempt.decline_type) == (AttemptStatus.FAILED, outcome, decline)
        assert Journal.objects.filter(kind="period.paid").count() == 0


def test_an_answer_lost_on_the_way_is_asked_for_and_recorded_once(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay, status=ContractStatus.ACTIVE)
    alpha_alipay.fail_next = ["drop"]  # Alipay charges, then the connection dies
    with schema_context(shop.schema_name):
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(NOW))
        assert attempt.status == AttemptStatus.STARTED and len(alpha_alipay.trades) == 1
        # The next run (past the in-flight lease) asks with the same key: paid once.
        report = debit_run_shop(clock=FixedClock(NOW + timedelta(minutes=20)))
        assert (report.resumed, report.succeeded) == (1, 1)
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.SUCCEEDED and len(alpha_alipay.trades) == 1
        assert DebitAttempt.objects.filter(period__contract=contract).count() == 1


def test_trade_notifications_twice_and_out_of_order_move_money_once(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay, behaviour="processing", status=ContractStatus.ACTIVE)
    with schema_context(shop.schema_name):
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(NOW))
        assert attempt.status == AttemptStatus.STARTED  # WAIT_BUYER_PAY: the outcome comes later
    [paid] = alpha_alipay.settle_pending()
    closed = alpha_alipay.notify(paid_url := alpha_alipay.notifications[-1][0], paid["app_id"],
                                 {**{k: v for k, v in paid.items() if k not in ("sign", "sign_type", "notify_id",
                                                                             "notify_time", "app_id")},
                                  "trade_status": "TRADE_CLOSED"})  # fmt: skip
    assert paid_url.endswith("/webhooks/alipay/")
    for params in (paid, paid, closed):  # twice, then a stale "closed" after "paid"
        assert _deliver(shop, params).status_code == 200
    with schema_context(shop.schema_name):
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.SUCCEEDED
        assert _first_period(contract).status == PeriodStatus.PAID
        assert Journal.objects.filter(kind="period.paid").count() == 1 and unbalanced_journals() == []
        assert ProviderNotification.objects.filter(kind="trade_status_sync").count() == 2


def test_forged_stale_foreign_and_unknown_notifications_are_refused_and_move_nothing(shop, other_shop, alpha_alipay):
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        start = agreement_sign_begin(contract=contract, rail="alipay", clock=FixedClock(NOW))
    genuine = alpha_alipay.customer_signs(start.url)
    app_id = genuine["app_id"]
    # Signed by someone else's key.
    impostor = {k: v for k, v in genuine.items() if k != "sign"}
    impostor["sign"] = rsa2_sign(rsa_key_new(), signing_string(impostor, exclude=("sign", "sign_type")))
    # Tampered after signing.
    tampered = {**genuine, "agreement_no": "2026999999999999"}
    # Genuinely signed, but three days old.
    stale = alpha_alipay.notify("", app_id, {"notify_type": "dut_user_sign", "agreement_no": "20261", "status": "NORMAL",
                                             "external_agreement_no": contract.uuid.hex})  # fmt: skip
    stale = {
        **stale,
        "notify_time": (datetime.now(UTC) + timedelta(hours=8) - timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S"),
    }
    stale["sign"] = rsa2_sign(alpha_alipay.key, signing_string(stale, exclude=("sign", "sign_type")))
    # Genuinely signed, about an agreement for no contract of this shop.
    unknown = alpha_alipay.notify("", app_id, {"notify_type": "dut_user_sign", "agreement_no": "20262",
                                               "status": "NORMAL", "external_agreement_no": "f" * 32})  # fmt: skip
    for params in (impostor, tampered, stale, unknown):
        response = _deliver(shop, params)
        assert (response.status_code, response.content) == (400, b"fail")
    # Another shop (no Alipay credentials at all) is sent alpha's genuine notification.
    assert _deliver(other_shop, genuine).status_code == 400
    with schema_context(other_shop.schema_name):
        assert PaymentMethod.objects.filter(rail="alipay").count() == 0
    with schema_context(shop.schema_name):
        assert PaymentMethod.objects.filter(rail="alipay").count() == 0
        assert ProviderNotification.objects.count() == 0
        contract.refresh_from_db()
        assert contract.payment_method.rail == "sandbox"


def test_refunds_are_once_per_key_and_never_more_than_was_paid(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay, status=ContractStatus.ACTIVE)
    with schema_context(shop.schema_name):
        attempt = period_collect(period=_first_period(contract), clock=FixedClock(NOW))
        rail = AlipayRail.for_current_shop(livemode=False)
        refund = dict(token=contract.payment_method.token, charge_reference=attempt.rail_reference,
                      metadata={"purpose": "period_refund"})  # fmt: skip
        first = rail.refund(amount=Money(20_000), idempotency_key="refund:a", **refund)
        assert rail.refund(amount=Money(20_000), idempotency_key="refund:a", **refund) == first
        with pytest.raises(RefundFailed, match="ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"):
            rail.refund(amount=Money(20_000), idempotency_key="refund:b", **refund)  # 200 + 200 > 399
        assert len(alpha_alipay.refunds) == 1
        assert next(iter(alpha_alipay.refunds.values()))["refund_amount"] == "200.00"


def test_next_debit_date_change_and_unsign_when_the_contract_ends(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay)
    with schema_context(shop.schema_name):
        method = contract.payment_method
        AlipayRail.for_current_shop(livemode=False).agreement_next_debit_change(
            agreement_no=method.token, deduct_on=date(2026, 4, 15)
        )
        assert alpha_alipay.agreements[method.token]["next_deduct"] == "2026-04-15"
        agreement_end(payment_method=method, reason="pet loss")
        method.refresh_from_db()
        assert method.is_active is False and alpha_alipay.agreements[method.token]["status"] == "UNSIGN"


def test_credentials_are_proven_by_a_signed_exchange(shop, fake_alipay):
    good = alipay_credentials(shop, fake_alipay, verified=False)
    assert credential_verify(shop=shop, provider="alipay", livemode=False).is_verified
    # A key the gateway does not know for this app: Alipay refuses the request's signature.
    bad = alipay_credentials(shop, fake_alipay, livemode=True, verified=False)
    fake_alipay.apps[bad.config["app_id"]] = rsa_key_new().public_key()
    checked = credential_verify(shop=shop, provider="alipay", livemode=True)
    assert checked.verified_at is None and "isv.invalid-signature" in checked.verification_error
    assert fake_alipay.rejected == ["isv.invalid-signature"] and good.pk != bad.pk


def test_the_debit_run_calls_alipay_concurrently_within_the_merchant_limit(settings, shop, alpha_alipay):
    """30 debits at 0.2 s an answer: far faster than one by one, never over 40 requests a second
    (the process keeps to 0.8 of it, as docs/operations.md advises)."""
    settings.PAWPACT_RAIL_RATE_LIMITS = {"alipay": 32.0}
    settings.PAWPACT_RAIL_CONCURRENCY = 16
    alpha_alipay.latency_seconds = 0.2
    with schema_context(shop.schema_name):
        _agreements_due(alpha_alipay, 30)
        started = time.monotonic()
        report = debit_run_shop(clock=FixedClock(NOW))
        elapsed = time.monotonic() - started
        assert (report.attempted, report.succeeded) == (30, 30)
        assert Journal.objects.filter(kind="period.paid").count() == 30 and unbalanced_journals() == []
    assert len(alpha_alipay.trades) == 30
    assert alpha_alipay.rate.refused == 0 and alpha_alipay.rate.max_per_second <= 40
    assert elapsed < 30 * 0.2 / 2, elapsed  # sequential calls would take 6 s


def test_a_request_refused_as_over_the_rate_is_asked_again_and_pays_once(settings, shop, alpha_alipay):
    settings.PAWPACT_RAIL_RATE_LIMITS = {"alipay": 100.0}
    alpha_alipay.fail_next = ["limit", "limit", "limit"]  # Alipay answers isp.flow-limit, acting on nothing
    with schema_context(shop.schema_name):
        _agreements_due(alpha_alipay, 6)
        report = debit_run_shop(clock=FixedClock(NOW))
        assert (report.attempted, report.succeeded, report.unknown) == (6, 6, 0)
        assert DebitPeriod.objects.filter(status="paid").count() == 6
        assert Journal.objects.filter(kind="period.paid").count() == 6 and unbalanced_journals() == []
    assert alpha_alipay.fail_next == [] and alpha_alipay.calls == {"alipay.trade.pay": 6}
    assert len(alpha_alipay.trades) == 6


def test_every_signed_request_waits_for_its_place_under_the_limit(settings, shop, alpha_alipay):
    """A resumed debit Alipay already paid is a trade.pay then a trade.query: both count.
    Unthrottled, the 36 requests would arrive at once; the limit is kept with a margin for
    the jitter between a request leaving and the gateway counting it on a busy machine."""
    settings.PAWPACT_RAIL_RATE_LIMITS = {"alipay": 15.0}
    with schema_context(shop.schema_name):
        _agreements_due(alpha_alipay, 12)
        rail = AlipayRail.for_current_shop(livemode=False)

    def charge_twice(agreement_no: str) -> tuple[bool, bool]:
        charge = {"token": agreement_no, "customer_ref": "", "amount": Money(39_900), "metadata": {},
                  "idempotency_key": f"debit:{agreement_no}:1"}  # fmt: skip
        return rail.charge(**charge).succeeded, rail.charge(**charge).succeeded

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(charge_twice, list(alpha_alipay.agreements)))
    assert answers == [(True, True)] * 12
    assert alpha_alipay.calls == {"alipay.trade.pay": 24, "alipay.trade.query": 12}
    assert len(alpha_alipay.trades) == 12
    assert alpha_alipay.rate.refused == 0 and alpha_alipay.rate.max_per_second <= 20


def _agreements_due(gateway, count: int) -> None:
    """`count` contracts with a period due now, each on an Alipay agreement of `gateway`."""
    app_id = next(iter(gateway.apps))
    for n in range(count):
        contract = contract_create()
        agreement_no = f"20269{n:015d}"
        gateway.agreements[agreement_no] = {"app_id": app_id, "external_agreement_no": contract.uuid.hex,
                                            "status": "NORMAL", "behaviour": "success", "next_deduct": "",
                                            "single_amount": "399.00"}  # fmt: skip
        PaymentMethod.objects.filter(pk=contract.payment_method_id).update(rail="alipay", token=agreement_no)


def test_the_next_batch_is_charged_while_the_last_one_is_recorded(settings, monkeypatch, shop, alpha_alipay):
    settings.PAWPACT_RAIL_CONCURRENCY = 8
    steps = []
    real_start, real_record = RailCalls.start, run_module._record

    def start(calls, attempts):
        steps.append(("charge", len(attempts)))
        return real_start(calls, attempts)

    def record(known, **kwargs):
        steps.append(("record", len(known)))
        return real_record(known, **kwargs)

    monkeypatch.setattr(RailCalls, "start", start)
    monkeypatch.setattr(run_module, "_record", record)
    with schema_context(shop.schema_name):
        _agreements_due(alpha_alipay, 25)
        report = debit_run_shop(clock=FixedClock(NOW), batch_size=10)

        assert steps == [("charge", 10), ("charge", 10), ("record", 10), ("charge", 5), ("record", 10), ("record", 5)]
        assert (report.attempted, report.succeeded) == (25, 25)
        assert DebitPeriod.objects.filter(status="paid").count() == 25
        assert Journal.objects.filter(kind="period.paid").count() == 25 and unbalanced_journals() == []
    assert alpha_alipay.calls == {"alipay.trade.pay": 25} and len(alpha_alipay.trades) == 25


def test_the_agreement_is_unsigned_when_its_contract_ends(shop, alpha_alipay):
    contract = _signed_agreement(shop, alpha_alipay)
    with schema_context(shop.schema_name):
        contract.status = ContractStatus.TERMINATED_PET_LOSS
        contract.save(update_fields=["status"])
        shop_event_publish(kind="contract.terminated", payload={
            "contract_uuid": str(contract.uuid), "reason": "pet_loss", "paid_periods": 0, "periods": 12,
            "remaining_minor": 0, "cancelled_minor": 0, "penalty_minor": 0, "refund_minor": 0, "currency": "CNY", "at": NOW.isoformat(),
        })  # fmt: skip
        method = PaymentMethod.objects.get(pk=contract.payment_method_id)
    assert method.is_active is False
    assert alpha_alipay.agreements[method.token]["status"] == "UNSIGN"
    assert alpha_alipay.calls["alipay.user.agreement.unsign"] == 1
