"""The adoption signing flow end to end, and every refusal on the way."""
import hashlib
import time
from datetime import date

import pytest

from pawpact.accounts.models import User
from pawpact.billing.enums import AttemptStatus, ContractStatus, DepositStatus, LedgerAccount, PeriodStatus
from pawpact.billing.errors import (
    AlreadyUnderContract,
    CustomerTooYoung,
    IllegalTransition,
    InvalidPaymentMethod,
    PaymentFailed,
    SigningBlocked,
    UnknownPlanVersion,
)
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Contract, DebitAttempt, Journal, Plan
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.billing.services.signing import (
    application_create,
    application_credit_check,
    contract_attach_payment_method,
    contract_sign,
)
from pawpact.core.errors import PermissionDenied, ValidationFailed
from pawpact.customers.services import customer_create, pet_create
from pawpact.payments.errors import PaymentPending
from pawpact.outbox.models import OutboxEvent
from pawpact.payments import policies
from pawpact.payments.base import RailPolicy
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, NOW, TODAY, counts, phone_ending
from tests.consent import consented

HIGH, LOW = "999", "000"  # sandbox credit scores 950 and 350


def _adopter(suffix: str = HIGH, *, birth_date: date = ADULT_BIRTH_DATE, user=None, clock=None):
    customer = customer_create(name="Wang Fang", phone=phone_ending(suffix), birth_date=birth_date, user=user)
    pet = pet_create(owner=customer, name="Mimi", species="cat", breed="Ragdoll")
    return customer, pet


def _signed(basic, clock, suffix: str = HIGH, token: str = "tok_success") -> Contract:
    customer, pet = _adopter(suffix)
    contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    application_credit_check(contract=consented(contract), clock=clock)
    contract = contract_sign(
        contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="Mozilla/5.0", clock=clock
    )
    method = payment_method_attach(customer=customer, rail="sandbox", token=token)
    return contract_attach_payment_method(contract=contract, payment_method=method)


def _ledger_lines(contract: Contract) -> list[tuple[str, list[tuple[str, int]]]]:
    return [
        (journal.kind, sorted((line.account, line.amount_minor) for line in journal.lines.all()))
        for journal in Journal.objects.filter(contract=contract).order_by("id").prefetch_related("lines")
    ]


PERIOD_1_PAID = (
    "period.paid",
    sorted([("cash", 39900), ("receivable", -39900), ("deferred_revenue", 39900), ("plan_revenue", -39900)]),
)
ACTIVATED = ("contract.activated", sorted([("receivable", 478800), ("deferred_revenue", -478800)]))


def test_the_whole_flow_with_a_good_score_needs_no_deposit_and_no_waiting(basic, clock):
    started = time.perf_counter()
    customer, pet = _adopter(HIGH)
    contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    contract = application_credit_check(contract=consented(contract), clock=clock)
    contract = contract_sign(
        contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="Mozilla/5.0", clock=clock
    )
    method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
    contract = contract_attach_payment_method(contract=contract, payment_method=method)
    contract = contract_activate(contract=contract, clock=clock)
    elapsed = time.perf_counter() - started

    assert elapsed < 5.0
    contract.refresh_from_db()
    assert (contract.status, contract.activated_at, contract.cooling_off_until) == (
        ContractStatus.ACTIVE, NOW, date(2026, 3, 23),
    )  # fmt: skip
    assert (contract.monthly_amount_minor, contract.periods, contract.total_minor) == (39900, 12, 478800)
    assert (contract.credit_score, contract.deposit_minor, contract.deposit_status) == (950, 0, DepositStatus.WAIVED)
    assert (contract.signed_at, contract.signed_by_name, contract.signed_ip) == (NOW, "Wang Fang", "203.0.113.7")
    assert contract.agreement_sha256 == hashlib.sha256(contract.agreement_text.encode("utf-8")).hexdigest()

    periods = list(contract.periods_set.order_by("number"))
    # 10 April is 25 days after 16 March, under the rails' 28-day minimum period: the first
    # regular debit is on 10 May, the same amount; the last one a month later too.
    assert [(p.number, p.due_date, p.amount_minor) for p in periods[:3]] == [
        (1, TODAY, 39900), (2, date(2026, 5, 10), 39900), (3, date(2026, 6, 10), 39900),
    ]  # fmt: skip
    assert (len(periods), periods[-1].due_date) == (12, date(2027, 3, 10))
    assert [p.status for p in periods] == [PeriodStatus.PAID] + [PeriodStatus.SCHEDULED] * 11
    assert DebitAttempt.objects.filter(period__contract=contract).count() == 1

    # The receivable is recognised before the first payment settles part of it.
    assert _ledger_lines(contract) == [ACTIVATED, PERIOD_1_PAID]
    assert account_balances(contract=contract) == {
        LedgerAccount.CASH: 39900,
        LedgerAccount.RECEIVABLE: 438900,
        LedgerAccount.DEFERRED_REVENUE: -438900,
        LedgerAccount.PLAN_REVENUE: -39900,
    }
    assert unbalanced_journals() == []
    assert SandboxCharge.objects.filter(token=method.token).values_list("amount_minor", "outcome").get() == (
        39900, "succeeded",
    )  # fmt: skip

    events = list(OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).order_by("id"))
    assert [e.kind for e in events] == ["contract.signed", "debit.paid", "contract.activated"]
    assert events[0].payload == {
        "contract_uuid": str(contract.uuid),
        "customer_uuid": str(customer.uuid),
        "plan_code": "basic",
        "plan_version": 1,
        "monthly_amount_minor": 39900,
        "periods": 12,
        "total_minor": 478800,
        "currency": "CNY",
        "signed_at": "2026-03-16T02:00:00+00:00",
    }


def test_the_whole_flow_with_a_low_score_charges_and_holds_the_deposit(basic, clock):
    contract = _signed(basic, clock, suffix=LOW)
    assert (contract.deposit_minor, contract.deposit_status) == (50000, DepositStatus.DUE)

    contract = contract_activate(contract=contract, clock=clock)

    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.ACTIVE, DepositStatus.HELD)
    deposit_charge = SandboxCharge.objects.get(idempotency_key=f"deposit:{contract.uuid}:{contract.payment_method_id}")
    assert (deposit_charge.amount_minor, deposit_charge.outcome) == (50000, "succeeded")
    assert contract.deposit_reference == deposit_charge.reference
    assert _ledger_lines(contract) == [
        ("deposit.held", sorted([("cash", 50000), ("deposits_held", -50000)])),
        ACTIVATED,
        PERIOD_1_PAID,
    ]
    assert account_balances(contract=contract) == {
        LedgerAccount.CASH: 89900,
        LedgerAccount.DEPOSITS_HELD: -50000,
        LedgerAccount.RECEIVABLE: 438900,
        LedgerAccount.DEFERRED_REVENUE: -438900,
        LedgerAccount.PLAN_REVENUE: -39900,
    }
    assert SandboxCharge.objects.filter(token=contract.payment_method.token).count() == 2
    assert unbalanced_journals() == []


def test_activation_completes_the_adoption_of_a_shop_pet(basic, clock):
    customer, _own_pet = _adopter()
    shop_pet = pet_create(name="Xiaobai", species="cat")  # waiting in the shop, no owner yet
    contract = application_credit_check(
        contract=consented(application_create(customer=customer, pet=shop_pet, plan_version_id=basic.pk, clock=clock)),
        clock=clock,
    )
    contract_sign(contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x", clock=clock)
    method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
    contract_attach_payment_method(contract=contract, payment_method=method)
    shop_pet.refresh_from_db()
    assert shop_pet.owner is None

    contract_activate(contract=contract, clock=clock)

    shop_pet.refresh_from_db()
    assert shop_pet.owner == customer


def test_another_customers_pet_cannot_be_applied_for(basic, clock):
    customer, _pet = _adopter()
    _other, others_pet = _adopter()
    before = counts()

    with pytest.raises(ValidationFailed, match="This pet belongs to another customer."):
        application_create(customer=customer, pet=others_pet, plan_version_id=basic.pk, clock=clock)
    assert counts() == before


def test_activating_an_active_contract_is_an_illegal_transition_that_charges_nothing(basic, clock):
    contract = contract_activate(contract=_signed(basic, clock, suffix=LOW), clock=clock)
    before = counts()

    with pytest.raises(IllegalTransition) as refused:
        contract_activate(contract=contract, clock=clock)

    assert (refused.value.code, refused.value.http_status) == ("illegal_transition", 409)
    assert refused.value.message == "A contract that is “Active” cannot become “Active”."
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert counts() == before
    assert unbalanced_journals() == []


def test_a_failed_first_debit_leaves_the_contract_signed_and_a_retry_activates_it(basic, clock):
    contract = _signed(basic, clock, token="tok_insufficient_funds")
    declined_token = contract.payment_method.token

    with pytest.raises(PaymentFailed) as failed:
        contract_activate(contract=contract, clock=clock)

    assert failed.value.message == (
        "The first monthly debit of ¥399.00 failed (insufficient funds). The contract stays signed "
        "and is not active: try again or attach another payment method."
    )
    contract.refresh_from_db()
    assert (contract.status, contract.activated_at, contract.cooling_off_until) == (ContractStatus.SIGNED, None, None)
    assert Journal.objects.filter(contract=contract).count() == 0
    attempts = DebitAttempt.objects.filter(period__contract=contract)
    assert list(attempts.values_list("number", "status", "outcome")) == [
        (1, AttemptStatus.FAILED, "insufficient_funds")
    ]
    assert contract.periods_set.get(number=1).status == PeriodStatus.FAILED
    assert list(OutboxEvent.objects.filter(aggregate_uuid=contract.uuid).values_list("kind", flat=True)) == [
        "debit.failed"
    ]

    new_method = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
    contract = contract_attach_payment_method(contract=contract, payment_method=new_method)
    contract = contract_activate(contract=contract, clock=clock)
    with pytest.raises(IllegalTransition):  # and once more: refused, nothing new
        contract_activate(contract=contract, clock=clock)

    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert list(SandboxCharge.objects.filter(token=new_method.token).values_list("amount_minor", "outcome")) == [
        (39900, "succeeded")
    ]
    assert list(SandboxCharge.objects.filter(token=declined_token).values_list("outcome", flat=True)) == [
        "insufficient_funds"
    ]
    assert list(attempts.order_by("number").values_list("number", "status")) == [
        (1, AttemptStatus.FAILED), (2, AttemptStatus.SUCCEEDED),
    ]  # fmt: skip
    assert _ledger_lines(contract) == [ACTIVATED, PERIOD_1_PAID]
    assert unbalanced_journals() == []


def test_a_declined_deposit_stops_before_the_calendar_and_a_retry_with_another_method_works(basic, clock):
    contract = _signed(basic, clock, suffix=LOW, token="tok_insufficient_funds")
    before = counts()

    with pytest.raises(PaymentFailed) as failed:
        contract_activate(contract=contract, clock=clock)

    assert failed.value.message.startswith("The deposit of ¥500.00 could not be collected (insufficient funds).")
    # Only the provider's own record of the declined charge exists.
    assert counts() == {**before, "sandbox_charges": before["sandbox_charges"] + 1}
    contract.refresh_from_db()
    assert (contract.status, contract.deposit_status) == (ContractStatus.SIGNED, DepositStatus.DUE)

    method = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
    contract_attach_payment_method(contract=contract, payment_method=method)
    contract = contract_activate(contract=contract, clock=clock)

    assert (contract.status, contract.deposit_status) == (ContractStatus.ACTIVE, DepositStatus.HELD)
    assert sorted(SandboxCharge.objects.filter(token=method.token).values_list("amount_minor", flat=True)) == [
        39900, 50000,
    ]  # fmt: skip
    assert unbalanced_journals() == []


def test_an_unknown_first_debit_outcome_is_not_retried_with_a_new_charge(basic, clock):
    contract = _signed(basic, clock, token="tok_network_error")
    for _ in range(2):
        with pytest.raises(PaymentPending, match="has not answered yet"):
            contract_activate(contract=contract, clock=clock)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    # One attempt in flight, asked again later under its own key, never a second attempt.
    assert list(DebitAttempt.objects.filter(period__contract=contract).values_list("number", "status")) == [
        (1, AttemptStatus.STARTED)
    ]
    assert Journal.objects.filter(contract=contract).count() == 0


# --- Refusals: the right error, and nothing written --------------------------------------


def test_signing_twice_is_refused(basic, clock):
    contract = _signed(basic, clock)
    signed = Contract.objects.values("signed_at", "agreement_sha256", "signed_ip").get(pk=contract.pk)
    before = counts()

    with pytest.raises(IllegalTransition) as refused:
        contract_sign(contract=contract, signer_name="Wang Fang", ip="198.51.100.1", user_agent="other", clock=clock)

    assert (refused.value.code, refused.value.http_status) == ("illegal_transition", 409)
    assert refused.value.message == "A contract that is “Signed” cannot become “Signed”."
    assert counts() == before
    assert Contract.objects.values("signed_at", "agreement_sha256", "signed_ip").get(pk=contract.pk) == signed
    contract_activate(contract=contract, clock=clock)
    with pytest.raises(IllegalTransition):
        contract_sign(contract=contract, signer_name="Wang Fang", ip="198.51.100.1", user_agent="other", clock=clock)


def test_a_pet_already_under_contract_is_refused(basic, clock):
    customer, pet = _adopter()
    application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    before = counts()

    with pytest.raises(AlreadyUnderContract):
        application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)

    assert counts() == before


def test_the_database_refuses_a_second_open_contract(basic, clock):
    customer, pet = _adopter()
    application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    before = counts()

    # No read before the insert to race with: the partial unique index refuses it.
    with pytest.raises(AlreadyUnderContract):
        application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)

    assert counts() == before


def test_a_customer_one_day_short_of_18_is_refused_and_one_of_18_is_accepted(basic, clock):
    young, young_pet = _adopter(birth_date=date(2008, 3, 17))  # 17 years and 364 days old today
    before = counts()

    with pytest.raises(CustomerTooYoung) as refused:
        application_create(customer=young, pet=young_pet, plan_version_id=basic.pk, clock=clock)

    assert refused.value.message == "The adopter must be at least 18 years old to sign a plan."
    assert counts() == before
    adult, adult_pet = _adopter(birth_date=date(2008, 3, 16))  # 18 today
    assert application_create(customer=adult, pet=adult_pet, plan_version_id=basic.pk, clock=clock).pk


def test_unknown_and_inactive_plan_versions_are_refused(basic, clock):
    customer, pet = _adopter()
    before = counts()
    for plan_version_id in (987654321, "1", None):
        with pytest.raises(UnknownPlanVersion):
            application_create(customer=customer, pet=pet, plan_version_id=plan_version_id, clock=clock)
    Plan.objects.filter(pk=basic.plan_id).update(is_active=False)
    with pytest.raises(UnknownPlanVersion):
        application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    assert counts() == before


def test_a_shop_blocked_by_risk_controls_cannot_sign(basic, clock, in_shop):
    customer, pet = _adopter()
    draft = application_credit_check(
        contract=consented(application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)), clock=clock
    )
    Shop.objects.filter(pk=in_shop.pk).update(risk_state=ShopRiskState.BLOCKED_NEW_SIGNINGS)
    other_pet = pet_create(owner=customer, name="Dudu", species="dog")
    before = counts()

    with pytest.raises(SigningBlocked) as blocked:
        application_create(customer=customer, pet=other_pet, plan_version_id=basic.pk, clock=clock)
    assert blocked.value.message == "New signings are blocked by the platform's risk controls."
    with pytest.raises(SigningBlocked):
        contract_sign(contract=draft, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x", clock=clock)

    assert counts() == before
    draft.refresh_from_db()
    assert (draft.status, draft.agreement_text) == (ContractStatus.DRAFT, "")


def test_only_the_adopter_signs(basic, clock):
    adopter_user = User.objects.create_user("adopter@alpha.test", "pw")
    intruder_user = User.objects.create_user("intruder@alpha.test", "pw")
    staff_user = User.objects.create_user("desk@alpha.test", "pw", is_staff=True)
    customer, pet = _adopter(user=adopter_user)
    customer_create(name="Intruder", phone=phone_ending("555"), birth_date=ADULT_BIRTH_DATE, user=intruder_user)
    contract = application_credit_check(
        contract=consented(application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)), clock=clock
    )
    before = counts()

    with pytest.raises(PermissionDenied):
        contract_sign(contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x",
                      signed_by_user=intruder_user, clock=clock)  # fmt: skip

    assert counts() == before
    contract.refresh_from_db()
    assert (contract.status, contract.signed_at, contract.agreement_text) == (ContractStatus.DRAFT, None, "")
    signed = contract_sign(contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x",
                           signed_by_user=adopter_user, clock=clock)  # fmt: skip
    assert signed.status == ContractStatus.SIGNED
    # Staff never sign for a customer: the adopter signs on their own phone (a signing link).
    other_pet = pet_create(owner=customer, name="Dudu", species="dog")
    assisted = application_credit_check(
        contract=consented(application_create(customer=customer, pet=other_pet, plan_version_id=basic.pk, clock=clock)),
        clock=clock,
    )
    with pytest.raises(PermissionDenied):
        contract_sign(contract=assisted, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x",
                      signed_by_user=staff_user, clock=clock)  # fmt: skip
    assisted.refresh_from_db()
    assert (assisted.status, assisted.signed_at) == (ContractStatus.DRAFT, None)


def test_a_customer_account_applies_only_for_itself(basic, clock):
    intruder_user = User.objects.create_user("intruder@alpha.test", "pw")
    customer, pet = _adopter()
    before = counts()
    with pytest.raises(PermissionDenied):
        application_create(customer=customer, pet=pet, plan_version_id=basic.pk, created_by=intruder_user, clock=clock)
    assert counts() == before


def test_a_payment_method_of_another_customer_is_refused(basic, clock):
    contract = _signed(basic, clock)
    stranger, _pet = _adopter()
    strangers_method = payment_method_attach(customer=stranger, rail="sandbox", token="tok_success")
    own_method_id = contract.payment_method_id
    before = counts()

    with pytest.raises(InvalidPaymentMethod) as refused:
        contract_attach_payment_method(contract=contract, payment_method=strangers_method)

    assert refused.value.message == "This payment method belongs to another customer."
    assert counts() == before
    contract.refresh_from_db()
    assert contract.payment_method_id == own_method_id


def test_a_rail_cap_below_the_monthly_amount_is_refused(basic, clock, monkeypatch):
    customer, pet = _adopter()
    contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
    monkeypatch.setitem(policies.RAIL_POLICIES, "sandbox", RailPolicy(max_amount_minor=30000))
    before = counts()

    with pytest.raises(InvalidPaymentMethod) as refused:
        contract_attach_payment_method(contract=contract, payment_method=method)

    assert refused.value.message == (
        "The monthly amount of ¥399.00 is above this payment method's limit of ¥300.00 per debit."
    )
    assert refused.value.fields == {"payment_method": [refused.value.message]}
    assert counts() == before
    contract.refresh_from_db()
    assert contract.payment_method_id is None


def test_a_rail_cap_below_the_deposit_is_refused(basic, clock, monkeypatch):
    contract = _signed(basic, clock, suffix=LOW)
    method = payment_method_attach(customer=contract.customer, rail="sandbox", token="tok_success")
    monkeypatch.setitem(policies.RAIL_POLICIES, "sandbox", RailPolicy(max_amount_minor=40000))
    with pytest.raises(InvalidPaymentMethod, match="The deposit of ¥500.00 is above"):
        contract_attach_payment_method(contract=contract, payment_method=method)


def test_steps_out_of_order_are_illegal(basic, clock):
    customer, pet = _adopter()
    draft = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    before = counts()

    with pytest.raises(IllegalTransition, match="Run the credit check before signing"):
        contract_sign(contract=draft, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x", clock=clock)
    with pytest.raises(IllegalTransition, match="A contract that is “Draft” cannot become “Active”."):
        contract_activate(contract=draft, clock=clock)

    assert counts() == before
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_activation_needs_a_payment_method(basic, clock):
    customer, pet = _adopter()
    contract = application_credit_check(
        contract=consented(application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)), clock=clock
    )
    contract_sign(contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="x", clock=clock)
    before = counts()
    with pytest.raises(InvalidPaymentMethod, match="Attach a payment method"):
        contract_activate(contract=contract, clock=clock)
    assert counts() == before


@pytest.mark.parametrize(("signer_name", "ip", "fields"), [("", "203.0.113.7", ["signer_name"]),
                                                           ("Wang Fang", "not-an-ip", ["ip"]),
                                                           ("  ", "", ["ip", "signer_name"])])  # fmt: skip
def test_a_signature_needs_a_name_and_an_address(basic, clock, signer_name, ip, fields):
    customer, pet = _adopter()
    contract = application_credit_check(
        contract=consented(application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)), clock=clock
    )
    with pytest.raises(ValidationFailed) as refused:
        contract_sign(contract=contract, signer_name=signer_name, ip=ip, user_agent="x", clock=clock)
    assert sorted(refused.value.fields) == fields
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
