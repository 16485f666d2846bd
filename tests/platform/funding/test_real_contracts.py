"""Across the schema boundary: contracts signed and ended with the billing services in the
shop's schema reach the platform's books through the outbox drain."""
from datetime import date, timedelta
from decimal import Decimal

from django_tenants.utils import schema_context

from pawpact.platform.enums import AdvanceStatus
from pawpact.platform.funding.ledger import account_balances
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import Advance, Clawback, PlatformEvent
from tests.platform.funding.conftest import assert_ledger_ok, drain
from tests.consent import consented


def _sign_in_shop(shop, clock, phone: str):
    from pawpact.billing.models import Plan
    from pawpact.billing.services.activation import contract_activate
    from pawpact.billing.services.payment_methods import payment_method_attach
    from pawpact.billing.services.signing import (
        application_create,
        application_credit_check,
        contract_attach_payment_method,
        contract_sign,
    )
    from pawpact.customers.services import customer_create, pet_create

    with schema_context(shop.schema_name):
        basic = Plan.objects.get(code="basic").versions.get(version=1)
        customer = customer_create(name="Wang Fang", phone=phone, birth_date=date(1995, 5, 5))
        pet = pet_create(owner=customer, name="Mimi", species="cat", breed="Ragdoll")
        contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
        application_credit_check(contract=consented(contract), clock=clock)
        contract = contract_sign(contract=contract, signer_name="Wang Fang", ip="203.0.113.7",
                                 user_agent="Mozilla/5.0", clock=clock)  # fmt: skip
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        contract = contract_attach_payment_method(contract=contract, payment_method=method)
        return contract_activate(contract=contract, clock=clock)


def test_a_real_signing_reaches_the_platform_as_an_advance_and_a_collection(shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    contract = _sign_in_shop(shop, clock, "13900000999")

    drain(shop, clock)

    advance = Advance.objects.get(shop=shop)
    assert (advance.contract_uuid, advance.amount_minor, advance.collected_minor) == (contract.uuid, 429_920, 39_900)
    assert advance.payable_on == date(2026, 3, 23)
    assert account_balances() == {
        "customer_receivable": 478_800 - 39_900, "advances_payable": -429_920, "fee_revenue": -1_000,
        "discount": -47_880, "cash": 39_900,
    }  # fmt: skip
    assert_ledger_ok()


def test_a_real_cooling_off_cancellation_cancels_the_advance_and_refunds_what_the_shop_refunded(shop, clock):
    from pawpact.billing.services.termination import contract_cancel_cooling_off

    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="none")
    contract = _sign_in_shop(shop, clock, "13900001999")
    drain(shop, clock)
    clock.advance(timedelta(days=2))
    with schema_context(shop.schema_name):
        contract_cancel_cooling_off(contract=contract, clock=clock)

    drain(shop, clock)

    event = PlatformEvent.objects.get(kind="contract.terminated")
    assert (event.payload["reason"], event.payload["refund_minor"]) == ("cooling_off", 39_900)
    advance = Advance.objects.get(shop=shop)
    assert (advance.status, advance.closed_reason) == (AdvanceStatus.CANCELLED, "cooling_off")
    assert Clawback.objects.count() == 0
    assert {k: v for k, v in account_balances().items() if v} == {}
    check = assert_ledger_ok()
    assert check.refunds_minor == event.payload["refund_minor"]


def test_advances_follow_a_signing_and_a_cancellation_as_soon_as_they_commit(
    shop, clock, django_capture_on_commit_callbacks
):
    """No drain by hand and no periodic tick: the commit itself sends the shop's outbox over."""
    from pawpact.billing.services.termination import contract_cancel_cooling_off

    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="none")
    with django_capture_on_commit_callbacks(execute=True) as signing:
        contract = _sign_in_shop(shop, clock, "13900002999")
    assert len(signing) == 1  # one prompt drain, not one per event of the signing
    advance = Advance.objects.get(shop=shop)
    assert (advance.contract_uuid, advance.status, advance.amount_minor) == (
        contract.uuid, AdvanceStatus.PENDING, 429_920,
    )  # fmt: skip

    clock.advance(timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True), schema_context(shop.schema_name):
        contract_cancel_cooling_off(contract=contract, clock=clock)

    advance.refresh_from_db()
    assert (advance.status, advance.closed_reason) == (AdvanceStatus.CANCELLED, "cooling_off")
    assert PlatformEvent.objects.filter(shop=shop, applied_at__isnull=True).count() == 0
    assert {k: v for k, v in account_balances().items() if v} == {}
    assert_ledger_ok()


def test_a_rolled_back_termination_sends_nothing_to_the_platform(shop, clock, django_capture_on_commit_callbacks):
    from pawpact.billing.services.termination import contract_cancel_cooling_off

    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="none")
    contract = _sign_in_shop(shop, clock, "13900003999")
    drain(shop, clock)
    clock.advance(timedelta(days=30))  # past the cooling-off window: refused, nothing written
    with django_capture_on_commit_callbacks(execute=True) as callbacks, schema_context(shop.schema_name):
        try:
            contract_cancel_cooling_off(contract=contract, clock=clock)
        except Exception:  # noqa: BLE001 - the refusal itself is tested with the terminations
            pass
    assert callbacks == []
    assert Advance.objects.get(shop=shop).status == AdvanceStatus.PENDING
    assert PlatformEvent.objects.filter(shop=shop, kind="contract.terminated").count() == 0
