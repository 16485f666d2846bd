"""Stored value: top-ups through the rails with gifts, spending, refunds of the paid part;
a liability on the shop ledger with paid and gift apart, balanced, never twice."""
import pytest
from django.db import connection

from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Journal, LedgerLine
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.core.errors import ValidationFailed
from pawpact.loyalty import stored_value
from pawpact.loyalty.errors import InsufficientStoredValue
from pawpact.billing.errors import InvalidPaymentMethod
from pawpact.payments.errors import PaymentDeclined
from pawpact.loyalty.models import GiftRule, StoredValueAccount, StoredValueMovement, TopUp
from pawpact.loyalty.wallet_models import SpendOrder, StoredValueRefund, StoredValueRules, TopUpStatus
from pawpact.loyalty.wallet_refunds import stored_value_refund
from pawpact.payments.base import ChargeResult
from pawpact.sandbox.models import SandboxCharge
from tests.loyalty.conftest import member

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def with_method(token="tok_success"):
    customer = member()
    return customer, payment_method_attach(customer=customer, rail="sandbox", token=token)


def gift_rules():
    GiftRule.objects.create(threshold_minor=100_000, gift_minor=10_000)
    GiftRule.objects.create(threshold_minor=50_000, gift_minor=3_000)


def balance(customer):
    account = StoredValueAccount.objects.filter(customer=customer).first()
    return (account.paid_minor, account.gift_minor) if account else (0, 0)


def snapshot():
    return (StoredValueAccount.objects.values_list("paid_minor", "gift_minor").order_by("id").first(),
            StoredValueMovement.objects.count(), TopUp.objects.count(), Journal.objects.count(), LedgerLine.objects.count(),
            SandboxCharge.objects.filter(shop_schema=connection.schema_name).count())  # fmt: skip


def test_a_top_up_of_1000_yuan_gets_100_on_top_kept_apart_on_the_ledger():
    gift_rules()
    customer, method = with_method()
    top = stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="t1")
    assert (top.status, top.amount_minor, top.gift_minor) == (TopUpStatus.PAID, 100_000, 10_000)
    assert balance(customer) == (100_000, 10_000)
    journal = Journal.objects.get(idempotency_key=f"stored_value.topup:{top.uuid}")
    assert sorted((line.account, line.amount_minor) for line in journal.lines.all()) == [
        ("marketing_expense", 10_000), ("store_cash", 100_000), ("stored_value_gift", -10_000),
        ("stored_value_paid", -100_000),
    ]
    assert account_balances()["stored_value_paid"] == -100_000 and unbalanced_journals() == []


def test_the_best_rule_applies_and_below_every_rule_there_is_no_gift():
    gift_rules()
    customer, method = with_method()
    assert stored_value.topup(customer=customer, amount_minor=60_000, payment_method=method, request_key="a").gift_minor == 3_000
    assert stored_value.topup(customer=customer, amount_minor=49_999, payment_method=method, request_key="b").gift_minor == 0
    assert balance(customer) == (109_999, 3_000)


def test_a_repeated_request_or_replayed_rail_answer_credits_once():
    gift_rules()
    customer, method = with_method()
    top = stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="once")
    again = stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="once")
    stored_value.topup_finish(topup_id=top.pk, result=ChargeResult(succeeded=True, outcome="succeeded", reference="x"))
    stored_value.topup_finish(topup_id=top.pk, result=ChargeResult(succeeded=False, outcome="hard_decline"))
    assert again.pk == top.pk and TopUp.objects.get(pk=top.pk).status == TopUpStatus.PAID
    assert balance(customer) == (100_000, 10_000)
    assert StoredValueMovement.objects.count() == 1
    assert SandboxCharge.objects.filter(shop_schema=connection.schema_name, idempotency_key=top.charge_key).count() == 1


def test_a_declined_top_up_credits_nothing():
    gift_rules()
    customer, method = with_method("tok_insufficient_funds")
    with pytest.raises(PaymentDeclined):
        stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="no")
    assert TopUp.objects.get().status == TopUpStatus.FAILED
    assert balance(customer) == (0, 0) and StoredValueMovement.objects.count() == 0
    assert not Journal.objects.filter(kind="stored_value.topup").exists()


@pytest.mark.parametrize("amount", [0, -100, 5_000_001, "100"])
def test_a_top_up_of_zero_negative_too_large_or_not_fen_is_refused_writing_nothing(amount):
    customer, method = with_method()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        stored_value.topup(customer=customer, amount_minor=amount, payment_method=method, request_key="bad")
    assert refused.value.fields == {"amount": refused.value.fields["amount"]}
    assert snapshot() == before


def test_another_customers_method_is_refused():
    customer, _method = with_method()
    _other, theirs = with_method()
    before = snapshot()
    with pytest.raises(InvalidPaymentMethod):
        stored_value.topup(customer=customer, amount_minor=10_000, payment_method=theirs, request_key="x")
    assert snapshot() == before


def paid_in(customer, method, amount=100_000, key="t"):
    return stored_value.topup(customer=customer, amount_minor=amount, payment_method=method, request_key=key)


def test_spending_takes_the_paid_part_first_by_default_then_the_gift():
    gift_rules()
    customer, method = with_method()
    paid_in(customer, method)
    stored_value.spend(customer=customer, amount_minor=95_000, key="order-1", memo="order 1")
    assert balance(customer) == (5_000, 10_000)
    move = stored_value.spend(customer=customer, amount_minor=8_000, key="order-2", memo="order 2")
    assert (move.paid_minor, move.gift_minor) == (-5_000, -3_000) and balance(customer) == (0, 7_000)
    journal = Journal.objects.get(idempotency_key="stored_value.spend:order-2")
    assert sorted((line.account, line.amount_minor) for line in journal.lines.all()) == [
        ("goods_revenue", -8_000), ("stored_value_gift", 3_000), ("stored_value_paid", 5_000)]
    assert unbalanced_journals() == []


def test_the_shop_may_spend_the_gift_part_first():
    gift_rules()
    StoredValueRules.objects.create(spend_order=SpendOrder.GIFT_FIRST)
    customer, method = with_method()
    paid_in(customer, method)
    move = stored_value.spend(customer=customer, amount_minor=12_000, key="o", memo="o")
    assert (move.paid_minor, move.gift_minor) == (-2_000, -10_000) and balance(customer) == (98_000, 0)


def test_spending_beyond_the_balance_is_refused_and_a_repeat_spends_once():
    customer, method = with_method()
    paid_in(customer, method, amount=10_000)
    stored_value.spend(customer=customer, amount_minor=6_000, key="k", memo="m")
    stored_value.spend(customer=customer, amount_minor=6_000, key="k", memo="m")
    assert balance(customer) == (4_000, 0)
    before = snapshot()
    with pytest.raises(InsufficientStoredValue):
        stored_value.spend(customer=customer, amount_minor=4_001, key="k2", memo="m")
    assert snapshot() == before


def test_a_refund_pays_back_the_paid_part_and_forfeits_the_gift_in_proportion():
    gift_rules()
    customer, method = with_method()
    paid_in(customer, method)
    stored_value_refund(customer=customer, amount_minor=50_000, key="r1")
    move = StoredValueMovement.objects.get(kind="refund")
    assert (move.paid_minor, move.gift_minor) == (-50_000, -5_000) and balance(customer) == (50_000, 5_000)
    stored_value_refund(customer=customer, amount_minor=50_000, key="r2")
    assert balance(customer) == (0, 0)
    balances = account_balances()
    assert balances.get("stored_value_paid", 0) == 0 and balances.get("stored_value_gift", 0) == 0
    assert balances["store_cash"] == 0 and balances.get("marketing_expense", 0) == 0
    assert unbalanced_journals() == []


def test_a_refund_beyond_the_paid_part_is_refused_writing_nothing():
    gift_rules()
    customer, method = with_method()
    paid_in(customer, method)
    before = snapshot()
    with pytest.raises(InsufficientStoredValue) as refused:
        stored_value_refund(customer=customer, amount_minor=100_001, key="r")
    assert refused.value.http_status == 422 and snapshot() == before
    StoredValueRules.objects.create(refunds_allowed=False)
    with pytest.raises(InsufficientStoredValue):
        stored_value_refund(customer=customer, amount_minor=100, key="r")
    assert snapshot() == before and not StoredValueRefund.objects.exists()


def test_a_top_up_the_rail_never_answered_is_settled_once_by_the_run(traveller):
    from datetime import timedelta

    from pawpact.billing.models import PaymentMethod
    from pawpact.loyalty.wallet_payments import wallet_payments_resolve

    gift_rules()
    customer, method = with_method("tok_network_error")
    top = stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="lost")
    assert top.status == TopUpStatus.PAYING and balance(customer) == (0, 0)
    assert wallet_payments_resolve() == 0  # still within the lease
    PaymentMethod.objects.filter(pk=method.pk).update(token="tok_success")  # the rail answers now
    traveller.shift(timedelta(minutes=6))
    assert wallet_payments_resolve() == 1
    wallet_payments_resolve()
    assert TopUp.objects.get(pk=top.pk).status == TopUpStatus.PAID and balance(customer) == (100_000, 10_000)
    assert StoredValueMovement.objects.count() == 1
    assert SandboxCharge.objects.filter(shop_schema=connection.schema_name, idempotency_key=top.charge_key).count() == 1
