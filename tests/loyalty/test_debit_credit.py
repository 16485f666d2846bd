"""Billing's credit against the next debit, which loyalty's money effects go through."""
import pytest

from pawpact.billing.enums import JournalKind
from pawpact.billing.ledger import account_balances
from pawpact.billing.models import Contract, DebitPeriod, Journal
from pawpact.billing.services.debit_credits import next_debit_credit_apply
from tests.billing.lifecycle.termination.helpers import adopt

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def amounts(contract) -> list[int]:
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("amount_minor", flat=True))


def test_a_credit_lowers_period_2_and_the_total_once_per_key():
    contract = adopt()
    total = Contract.objects.get(pk=contract.pk).total_minor
    journals = Journal.objects.count()

    first = next_debit_credit_apply(contract=contract, amount_minor=5_000, key="coupon.credit:T1",
                                    kind=JournalKind.WINBACK_CREDIT, memo="¥50 off")  # fmt: skip
    again = next_debit_credit_apply(contract=contract, amount_minor=5_000, key="coupon.credit:T1",
                                    kind=JournalKind.WINBACK_CREDIT, memo="¥50 off")  # fmt: skip

    assert first.pk == again.pk and Journal.objects.count() == journals + 1
    assert amounts(contract)[:3] == [39_900, 34_900, 39_900]
    assert Contract.objects.get(pk=contract.pk).total_minor == total - 5_000
    assert sorted((line.account, line.amount_minor) for line in first.lines.all()) == [
        ("deferred_revenue", 5_000), ("receivable", -5_000)
    ]
    assert sum(account_balances().values()) == 0


@pytest.mark.parametrize("amount", [0, -100, 39_900])
def test_no_credit_that_would_leave_a_period_at_zero_or_below(amount):
    contract = adopt()
    before, journals = amounts(contract), Journal.objects.count()
    assert next_debit_credit_apply(contract=contract, amount_minor=amount, key=f"coupon.credit:{amount}",
                                   kind=JournalKind.WINBACK_CREDIT, memo="x") is None  # fmt: skip
    assert amounts(contract) == before and Journal.objects.count() == journals
