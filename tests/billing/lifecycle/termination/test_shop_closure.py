"""Shop closure across the schema boundary: the platform deactivates a shop in the public
schema; a task in that shop's schema stops every future debit; the other shop is untouched."""
from datetime import date, timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.billing import tasks as termination_tasks
from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import ShopNotClosed
from pawpact.billing.models import Contract, DebitPeriod, Termination
from pawpact.billing.services import signing
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.shop_closure import shop_closure_run
from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.customers.services import customer_create, pet_create
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.enums import ShopState
from pawpact.tenants.services import shop_set_state
from tests.billing.lifecycle.termination.helpers import (
    HIGH,
    adopt,
    assert_ledger_ok,
    balances,
    beijing,
    collect_through,
    plan_version,
    snapshot,
    terminated_events,
)


def _shop_with_contracts(shop, traveller):
    with schema_context(shop.schema_name):
        held = adopt()  # ¥500 deposit held
        waived = adopt(suffix=HIGH)
        collect_through(held, 2, traveller)
    return held, waived


def test_deactivating_a_shop_stops_its_debits_and_leaves_the_other_shop_alone(
    shop, other_shop, traveller, django_capture_on_commit_callbacks
):
    alpha_held, alpha_waived = _shop_with_contracts(shop, traveller)
    with schema_context(other_shop.schema_name):
        beta = adopt()
        beta_before = snapshot()
    traveller.move_to(beijing(alpha_held.activated_at.date().replace(month=4, day=20)))

    assert connection.schema_name == "public"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        shop_set_state(shop=shop, state=ShopState.DEACTIVATED, actor=shop.owner, reason="closing down")
    # The closure itself, then the prompt drain of each contract it terminated.
    assert len(callbacks) == 1 + 2
    assert connection.schema_name == "public"

    with schema_context(shop.schema_name):
        assert set(Contract.objects.values_list("status", flat=True)) == {ContractStatus.TERMINATED_EARLY}
        assert set(Termination.objects.values_list("kind", flat=True)) == {TerminationKind.SHOP_CLOSURE}
        assert set(DebitPeriod.objects.exclude(status=PeriodStatus.PAID).values_list("status", flat=True)) == {
            PeriodStatus.CANCELLED
        }
        held = Contract.objects.get(pk=alpha_held.pk)
        assert held.deposit_status == DepositStatus.REFUNDED
        assert Contract.objects.get(pk=alpha_waived.pk).deposit_status == DepositStatus.WAIVED
        assert SandboxCharge.objects.filter(idempotency_key=f"deposit.refunded:{held.uuid}").get().amount_minor == -50000
        assert terminated_events(held) == [
            {
                "contract_uuid": str(held.uuid),
                "reason": "shop_closure",
                "paid_periods": 2,
                "periods": 12,
                "cancelled_minor": 10 * 39900,
                "remaining_minor": 0,
                "penalty_minor": 0,
                "refund_minor": 0,
                "currency": "CNY",
                "at": "2026-04-20T02:00:00+00:00",
            }
        ]
        assert terminated_events(Contract.objects.get(pk=alpha_waived.pk))[0]["cancelled_minor"] == 10 * 39900  # the run paid its period 2 too
        assert balances(held) == {
            "cash": 2 * 39900, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -2 * 39900, "deposits_held": 0,
        }  # fmt: skip
        assert_ledger_ok()
        # No debit is ever attempted again, whatever the date.
        traveller.move_to(beijing(alpha_held.activated_at.date().replace(month=5, day=10)))
        assert debit_run_shop().attempted == 0

    with schema_context(other_shop.schema_name):
        assert snapshot() == beta_before
        assert Contract.objects.get(pk=beta.pk).status == ContractStatus.ACTIVE
        assert DebitPeriod.objects.filter(contract_id=beta.pk, status=PeriodStatus.SCHEDULED).count() == 11


def test_the_closure_task_run_twice_ends_each_contract_once(shop, traveller):
    held, _waived = _shop_with_contracts(shop, traveller)
    shop_set_state(shop=shop, state=ShopState.DEACTIVATED, actor=shop.owner)  # on_commit not run here

    with schema_context(shop.schema_name):
        assert termination_tasks.shop_closure_task.delay().get() == 2
        before = snapshot()
        assert termination_tasks.shop_closure_task.delay().get() == 0
        assert snapshot() == before
        assert Termination.objects.count() == 2


def test_signed_contracts_of_a_closed_shop_are_withdrawn(shop, traveller):
    with schema_context(shop.schema_name):
        customer = customer_create(name="Zhao", phone="13912340999", birth_date=date(1990, 1, 1))
        pet = pet_create(owner=customer, name="Xiao", species="cat")
        draft = signing.application_create(customer=customer, pet=pet, plan_version_id=plan_version().pk)
    shop_set_state(shop=shop, state=ShopState.DEACTIVATED, actor=shop.owner)

    with schema_context(shop.schema_name):
        report = shop_closure_run()
        assert (report.terminated, report.withdrawn, report.skipped) == ([], [str(draft.uuid)], [])
        assert Contract.objects.get(pk=draft.pk).status == ContractStatus.WITHDRAWN


def test_the_closure_refuses_to_run_in_a_shop_that_is_open(shop, traveller):
    held, _waived = _shop_with_contracts(shop, traveller)
    with schema_context(shop.schema_name):
        before = snapshot()
        with pytest.raises(ShopNotClosed):
            shop_closure_run()
        with pytest.raises(ShopNotClosed):
            termination_tasks.shop_closure_task.delay()
        assert snapshot() == before


def test_the_daily_sweep_sends_the_closure_to_recently_closed_shops_only(shop, other_shop, traveller, monkeypatch):
    held, _waived = _shop_with_contracts(shop, traveller)
    shop_set_state(shop=shop, state=ShopState.DEACTIVATED, actor=shop.owner)  # its task was "lost"
    ran_in: list[str] = []
    real = termination_tasks.shop_closure_run

    def recording(**kwargs):
        ran_in.append(connection.schema_name)
        return real(**kwargs)

    monkeypatch.setattr(termination_tasks, "shop_closure_run", recording)

    assert termination_tasks.shop_closure_sweep_task.delay().get() == 1
    assert ran_in == ["shop_alpha"]
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=held.pk).status == ContractStatus.TERMINATED_EARLY

    traveller.shift(timedelta(days=31))
    assert termination_tasks.shop_closure_sweep_task.delay().get() == 0
