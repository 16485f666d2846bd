"""Refunds of stored value go back the way the money came in: to the payment method of each
top-up, newest first, split when needed; top-ups taken in cash at the counter are handed back
in cash. Each leg once per key, a balanced journal per leg, a failed rail leaves the balance
untouched and is asked again, never twice."""
import pytest
from django.db import connection

from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Journal, LedgerLine, RailRefund
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.loyalty import stored_value
from pawpact.loyalty.errors import InsufficientStoredValue
from pawpact.loyalty.models import GiftRule, StoredValueAccount, StoredValueMovement
from pawpact.loyalty.wallet_models import RefundLegStatus, StoredValueRefund, StoredValueRefundLeg, TopUpStatus
from pawpact.loyalty.wallet_payments import wallet_payments_resolve
from pawpact.loyalty.wallet_refunds import refundable_minor, routes_for, routes_summary, stored_value_refund
from pawpact.payments.errors import RefundFailed
from pawpact.payments.sandbox import SandboxRail
from pawpact.sandbox.models import SandboxCharge
from tests.loyalty.conftest import member

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def balance(customer):
    account = StoredValueAccount.objects.get(customer=customer)
    return account.paid_minor, account.gift_minor


def rail_refunds() -> list[tuple[str, int]]:
    rows = SandboxCharge.objects.filter(shop_schema=connection.schema_name, amount_minor__lt=0)
    return sorted(rows.values_list("idempotency_key", "amount_minor"))


def books():
    return (balance_or_none(), StoredValueMovement.objects.count(), Journal.objects.count(), LedgerLine.objects.count(),
            RailRefund.objects.count(), rail_refunds())  # fmt: skip


def balance_or_none():
    return list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor").order_by("id"))


@pytest.fixture
def wallet(traveller):
    """¥1,000 through card A (gift ¥100), then ¥300 in cash at the counter, then ¥500 through
    card B (gift ¥30); ¥600 spent (paid part first): ¥1,200 paid and ¥130 gift left."""
    from datetime import timedelta

    GiftRule.objects.create(threshold_minor=100_000, gift_minor=10_000)
    GiftRule.objects.create(threshold_minor=50_000, gift_minor=3_000)
    customer = member()
    card_a = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
    card_b = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
    first = stored_value.topup(customer=customer, amount_minor=100_000, payment_method=card_a, request_key="a")
    traveller.shift(timedelta(minutes=1))
    cash = stored_value.topup_at_counter(customer=customer, amount_minor=30_000, request_key="c")
    traveller.shift(timedelta(minutes=1))
    newest = stored_value.topup(customer=customer, amount_minor=50_000, payment_method=card_b, request_key="b")
    stored_value.spend(customer=customer, amount_minor=60_000, key="order-1", memo="order")
    assert balance(customer) == (120_000, 13_000)
    return customer, first, cash, newest


def test_a_cash_top_up_is_credited_once_with_its_gift_and_refused_at_zero(wallet):
    customer, _first, cash, _newest = wallet
    assert (cash.status, cash.payment_method_id, cash.amount_minor, cash.gift_minor) == (TopUpStatus.PAID, None, 30_000, 0)
    again = stored_value.topup_at_counter(customer=customer, amount_minor=30_000, request_key="c")
    assert again.pk == cash.pk and balance(customer) == (120_000, 13_000)
    journal = Journal.objects.get(idempotency_key=f"stored_value.topup:{cash.uuid}")
    assert sorted((line.account, line.amount_minor) for line in journal.lines.all()) == [
        ("store_cash", 30_000), ("stored_value_paid", -30_000)]
    before = books()
    with pytest.raises(Exception) as refused:
        stored_value.topup_at_counter(customer=customer, amount_minor=0, request_key="zero")
    assert refused.value.http_status == 400 and books() == before


def test_the_refund_goes_back_newest_top_up_first_split_across_rails_and_cash(wallet):
    customer, first, cash, newest = wallet
    assert routes_summary(routes_for(customer=customer, amount_minor=100_000)) == [
        {"destination": "sandbox", "label": "Back to the test payment method", "amount_minor": 70_000},
        {"destination": "cash", "label": "In cash at the counter", "amount_minor": 30_000},
    ]
    refund = stored_value_refund(customer=customer, amount_minor=100_000, key="r1")
    legs = list(StoredValueRefundLeg.objects.filter(refund=refund).order_by("id"))
    assert [(leg.top_up_id, leg.payment_method_id, leg.amount_minor, leg.status) for leg in legs] == [
        (newest.pk, newest.payment_method_id, 50_000, RefundLegStatus.REFUNDED),
        (cash.pk, None, 30_000, RefundLegStatus.REFUNDED),
        (first.pk, first.payment_method_id, 20_000, RefundLegStatus.REFUNDED),
    ]
    # the gift part is forfeited in proportion leg by leg: 13,000×5/12, then of what is left
    assert [(m.paid_minor, m.gift_minor) for m in StoredValueMovement.objects.filter(kind="refund").order_by("id")] == [
        (-50_000, -5_416), (-30_000, -3_250), (-20_000, -2_167)]
    assert balance(customer) == (20_000, 2_167)
    assert rail_refunds() == sorted([(legs[0].key, -50_000), (legs[2].key, -20_000)])
    assert sorted(RailRefund.objects.filter(purpose="stored_value_refund").values_list("idempotency_key", "amount_minor",
                                                                                       "charge_reference")) == sorted([
        (legs[0].key, 50_000, newest.reference), (legs[2].key, 20_000, first.reference)])  # fmt: skip
    for leg in legs:
        journal = Journal.objects.get(idempotency_key=leg.key)
        assert {line.account: line.amount_minor for line in journal.lines.all()}["store_cash"] == -leg.amount_minor
    assert account_balances()["stored_value_paid"] == -20_000 and unbalanced_journals() == []
    # the rest comes from the oldest card only
    assert routes_summary(routes_for(customer=customer, amount_minor=20_000)) == [
        {"destination": "sandbox", "label": "Back to the test payment method", "amount_minor": 20_000}]


def test_value_an_order_gave_back_returns_to_the_oldest_top_up_it_was_spent_from(wallet):
    customer, first, *_ = wallet
    stored_value_refund(customer=customer, amount_minor=120_000, key="all")
    stored_value.give_back(customer=customer, spend_key="order-1", amount_minor=10_000, key="cancel")
    assert balance(customer) == (10_000, 0)
    refund = stored_value_refund(customer=customer, amount_minor=10_000, key="rest")
    assert [(leg.top_up_id, leg.payment_method_id, leg.amount_minor) for leg in refund.legs.all()] == [
        (first.pk, first.payment_method_id, 10_000)]
    assert sum(StoredValueRefundLeg.objects.filter(top_up=first).values_list("amount_minor", flat=True)) == 50_000
    assert balance(customer) == (0, 0) and unbalanced_journals() == []


def test_a_failed_rail_leaves_the_balance_untouched_holds_the_amount_and_a_retry_refunds_once(wallet, monkeypatch):
    customer, *_ = wallet
    real = SandboxRail.refund

    def refused(self, **kwargs):
        raise RefundFailed("The provider is down.")

    monkeypatch.setattr(SandboxRail, "refund", refused)
    before = books()
    refund = stored_value_refund(customer=customer, amount_minor=40_000, key="r-fail")
    leg = refund.legs.get()
    assert (leg.status, leg.attempts, leg.last_error, leg.amount_minor) == (RefundLegStatus.PENDING, 1, "The provider is down.", 40_000)
    assert books() == before and balance(customer) == (120_000, 13_000)
    assert refundable_minor(customer=customer) == 80_000
    with pytest.raises(InsufficientStoredValue):  # the held amount can be neither spent nor refunded again
        stored_value.spend(customer=customer, amount_minor=93_001, key="too-much", memo="m")
    with pytest.raises(InsufficientStoredValue):
        stored_value_refund(customer=customer, amount_minor=80_001, key="r-other")
    assert books() == before

    def lost(self, **kwargs):
        real(self, **kwargs)  # the money went back; our side never heard
        raise RefundFailed("timed out")

    monkeypatch.setattr(SandboxRail, "refund", lost)
    stored_value_refund(customer=customer, amount_minor=40_000, key="r-fail")
    assert books() == before[:5] + (before[5] + [(leg.key, -40_000)],)
    monkeypatch.setattr(SandboxRail, "refund", real)
    stored_value_refund(customer=customer, amount_minor=40_000, key="r-fail")  # the same request again
    stored_value_refund(customer=customer, amount_minor=40_000, key="r-fail")
    leg.refresh_from_db()
    assert (leg.status, leg.attempts) == (RefundLegStatus.REFUNDED, 3)
    assert rail_refunds() == [(leg.key, -40_000)] and RailRefund.objects.filter(idempotency_key=leg.key).count() == 1
    assert balance(customer) == (80_000, 13_000 - 13_000 * 40_000 // 120_000)
    assert StoredValueMovement.objects.filter(kind="refund").count() == 1 and unbalanced_journals() == []


def test_the_periodic_run_asks_again_after_the_lease(wallet, monkeypatch, traveller):
    from datetime import timedelta

    customer, *_ = wallet
    real = SandboxRail.refund
    monkeypatch.setattr(SandboxRail, "refund", lambda self, **kwargs: (_ for _ in ()).throw(RefundFailed("down")))
    refund = stored_value_refund(customer=customer, amount_minor=10_000, key="later")
    monkeypatch.setattr(SandboxRail, "refund", real)
    assert wallet_payments_resolve() == 0  # within the lease
    traveller.shift(timedelta(minutes=6))
    assert wallet_payments_resolve() == 1 and wallet_payments_resolve() == 0
    assert refund.legs.get().status == RefundLegStatus.REFUNDED and balance(customer)[0] == 110_000


def test_a_duplicated_request_refunds_once(wallet):
    customer, *_ = wallet
    one = stored_value_refund(customer=customer, amount_minor=60_000, key="dup")
    after = books()
    two = stored_value_refund(customer=customer, amount_minor=60_000, key="dup")
    assert one.pk == two.pk and books() == after
    assert StoredValueRefund.objects.count() == 1 and StoredValueRefundLeg.objects.count() == 2
    assert balance(customer)[0] == 60_000


@pytest.mark.parametrize("amount", [0, -1, 120_001, "100"])
def test_a_bad_refund_writes_nothing(wallet, amount):
    customer, *_ = wallet
    before = books()
    with pytest.raises(Exception) as refused:
        stored_value_refund(customer=customer, amount_minor=amount, key="bad")
    assert refused.value.http_status in (400, 422) and books() == before
    assert not StoredValueRefund.objects.exists()


def test_the_ledger_check_sees_the_stored_value_books(wallet):
    from pawpact.billing.selectors import ledger_check

    customer, *_ = wallet
    refund = stored_value_refund(customer=customer, amount_minor=70_000, key="books")
    assert ledger_check().problems == []
    assert balance(customer) == (50_000, 5_418)  # 13,000 − 5,416 − 2,166 forfeited
    rail_leg = refund.legs.filter(payment_method__isnull=False).first()
    RailRefund.objects.filter(idempotency_key=rail_leg.key).delete()
    StoredValueAccount.objects.filter(customer=customer).update(gift_minor=1)
    assert ledger_check().problems == [
        "stored value (gift) on the ledger 5418 != the accounts' 1",
        f"1 stored-value refund(s) through a rail without the provider's record: {rail_leg.key}",
    ]
