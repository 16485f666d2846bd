import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing.enums import DepositStatus, LedgerAccount
from pawpact.billing.ledger import Line, journal_post, unbalanced_journals
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.core.clock import FixedClock
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create


def _good_ledger(shop):
    """Three paid periods, one declined, one deposit held with its journal."""
    with schema_context(shop.schema_name):
        contracts = [contract_create() for _ in range(3)]
        journal_post(  # the receivable the signing flow books at activation
            key=f"contract.activated:{contracts[0].uuid}",
            kind="contract.activated",
            lines=[Line(LedgerAccount.RECEIVABLE, 12 * 39_900), Line(LedgerAccount.DEFERRED_REVENUE, -12 * 39_900)],
            contract=contracts[0],
        )
        contract_create(token="tok_insufficient_funds")
        held = contract_create(deposit_minor=50_000, deposit_status=DepositStatus.HELD)
        journal_post(
            key=f"deposit.held:{held.uuid}",
            kind="deposit.held",
            lines=[Line(LedgerAccount.CASH, 50_000), Line(LedgerAccount.DEPOSITS_HELD, -50_000)],
            contract=held,
        )
        debit_run_shop(clock=FixedClock(SIGNING_DAY_NOON))
        assert unbalanced_journals() == []
    return contracts


def _run() -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("billing_ledger_check", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_good_ledger_passes(shop, other_shop):
    _good_ledger(shop)
    output, error = _run()
    assert error is None
    lines = output.splitlines()
    assert lines == [
        "shop_alpha: ok (6 journals, 4 paid periods, cash ¥2,096.00)",
        "shop_beta: ok (0 journals, 0 paid periods, cash ¥0.00)",
        "2 shop ledger(s) checked, 2 ok, 0 failed.",
    ]


def _unbalanced_journal(contract) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_journal (idempotency_key, kind, memo, contract_id, created_at)"
            " VALUES ('corrupt:1', 'manual', '', %s, now()) RETURNING id",
            [contract.pk],
        )
        journal_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO billing_ledgerline (journal_id, account, amount_minor, currency, contract_id)"
            " VALUES (%s, 'receivable', 100, 'CNY', %s)",
            [journal_id, contract.pk],
        )


def _cash_without_payment(contract) -> None:
    journal_post(
        key="manual:cash", kind="manual",
        lines=[Line(LedgerAccount.CASH, 100), Line(LedgerAccount.PLAN_REVENUE, -100)], contract=contract,
    )  # fmt: skip


def _paid_without_attempt(contract) -> None:
    DebitPeriod.objects.filter(contract=contract, number=2).update(status="paid")


def _deposit_held_without_journal(contract) -> None:
    contract.deposit_minor, contract.deposit_status = 30_000, DepositStatus.HELD
    contract.save(update_fields=["deposit_minor", "deposit_status"])


def _written_off_without_revenue_reversal(contract) -> None:
    journal_post(
        key="writeoff:manual", kind="writeoff",
        lines=[Line(LedgerAccount.BAD_DEBT, 39_900), Line(LedgerAccount.RECEIVABLE, -39_900)], contract=contract,
    )  # fmt: skip


def _receivable_cancelled_without_its_periods(contract) -> None:
    journal_post(
        key="receivable.cancelled:manual", kind="receivable.cancelled",
        lines=[Line(LedgerAccount.DEFERRED_REVENUE, 39_900), Line(LedgerAccount.RECEIVABLE, -39_900)],
        contract=contract,
    )  # fmt: skip


def _deposit_spent_on_the_ledger_only(contract) -> None:
    journal_post(
        key="manual:deposit", kind="manual",
        lines=[Line(LedgerAccount.DEPOSITS_HELD, 50_000), Line(LedgerAccount.PENALTY_REVENUE, -50_000)],
        contract=contract,
    )  # fmt: skip


def _refunded_without_a_termination(contract) -> None:
    DebitPeriod.objects.filter(contract=contract, number=1).update(status="refunded")


CASH = "cash {} != succeeded debits + deposits held + deposits applied + penalties − refunds {}"


@pytest.mark.parametrize(
    ("corrupt", "problem"),
    [
        (_unbalanced_journal, "1 unbalanced journal(s): corrupt:1"),
        (_cash_without_payment, CASH.format(209700, 209600)),
        (_paid_without_attempt, "1 paid period(s) without exactly one succeeded attempt and one 'period paid' journal"),
        (_deposit_held_without_journal, CASH.format(209600, 239600)),
        (_deposit_held_without_journal, "deposits held on the ledger 50000 != deposits held on contracts 80000"),
        (_deposit_spent_on_the_ledger_only, "deposits held on the ledger 0 != deposits held on contracts 50000"),
        (_written_off_without_revenue_reversal, "1 contract(s) whose receivable differs from their deferred revenue"),
        (_written_off_without_revenue_reversal, "1 contract(s) whose receivable differs from what their periods owe"),
        (_receivable_cancelled_without_its_periods, "1 contract(s) whose receivable differs from what their periods owe"),
        (_refunded_without_a_termination, "refunded periods 39900 != refunds recorded on terminations 0"),
    ],
)
def test_a_corrupted_ledger_fails_and_names_the_shop_and_the_problem(shop, other_shop, corrupt, problem):
    contracts = _good_ledger(shop)
    with schema_context(shop.schema_name):
        corrupt(contracts[0])
    output, error = _run()

    assert isinstance(error, CommandError)
    assert str(error) == "1 shop ledger(s) failed the check."
    alpha, beta, summary = output.splitlines()
    assert alpha.startswith("shop_alpha: FAILED (")
    assert problem in alpha
    assert beta.startswith("shop_beta: ok")
    assert summary == "2 shop ledger(s) checked, 1 ok, 1 failed."


def test_the_command_exits_non_zero_from_the_shell_when_a_ledger_is_broken(shop):
    """CommandError is what manage.py turns into exit status 1."""
    _good_ledger(shop)
    with schema_context(shop.schema_name):
        _unbalanced_journal(DebitPeriod.objects.first().contract)
        assert unbalanced_journals() == ["corrupt:1"]
    with pytest.raises(CommandError):
        call_command("billing_ledger_check", stdout=io.StringIO())
