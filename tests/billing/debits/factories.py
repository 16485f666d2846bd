"""Rows for the debit tests, written directly (the signing flow is tested elsewhere).

Call inside the shop's schema (`schema_context`). Each call makes its own plan,
customer, pet and payment method, so contracts never share a unique value.
"""
import itertools
import uuid
from datetime import UTC, date, datetime

from pawpact.billing.enums import ContractStatus, DepositStatus
from pawpact.billing.models import Contract, PaymentMethod, Plan, PlanVersion
from pawpact.billing.services.calendar import calendar_generate
from pawpact.customers.enums import Species
from pawpact.customers.models import Customer, Pet

_numbers = itertools.count(1)

# Monday 12 January 2026: the first 10th or 15th of a month at least the rails' minimum
# period of 28 days later is in February, so period 2 is due on 10 or 15 February.
SIGNED_ON = date(2026, 1, 12)
# 12:00 in Beijing on the signing day: period 1 is due, period 2 is not.
SIGNING_DAY_NOON = datetime(2026, 1, 12, 4, 0, tzinfo=UTC)


def plan_version_create(*, monthly_price_minor: int = 39_900, periods: int = 12, debit_day: int = 15) -> PlanVersion:
    n = next(_numbers)
    plan = Plan.objects.create(code=f"plan-{n}-{uuid.uuid4().hex[:6]}", name=f"Plan {n}")
    return PlanVersion.objects.create(
        plan=plan,
        version=1,
        monthly_price_minor=monthly_price_minor,
        periods=periods,
        debit_day=debit_day,
        scope_of_use="Food, litter and deworming only",
        deposit_minor=50_000,
        penalty_rate="0.100",
        cooling_off_days=7,
    )


def contract_create(
    *,
    token: str = "tok_success",
    rail: str = "sandbox",
    plan_version: PlanVersion | None = None,
    status: ContractStatus = ContractStatus.ACTIVE,
    signed_on: date = SIGNED_ON,
    with_calendar: bool = True,
    deposit_minor: int = 0,
    deposit_status: str = DepositStatus.WAIVED,
    livemode: bool = False,
) -> Contract:
    version = plan_version or plan_version_create()
    n = next(_numbers)
    customer = Customer.objects.create(name=f"Customer {n}", phone=f"+86138{n:08d}", birth_date=date(1995, 5, 5))
    pet = Pet.objects.create(owner=customer, name=f"Pet {n}", species=Species.CAT)
    # A suffix per saved method, as payment_method_attach stores sandbox tokens.
    payment_method = PaymentMethod.objects.create(
        customer=customer, rail=rail, token=f"{token}.{uuid.uuid4().hex[:16]}", label=token, livemode=livemode
    )
    contract = Contract.objects.create(
        customer=customer,
        pet=pet,
        plan_version=version,
        status=status,
        currency=version.currency,
        monthly_amount_minor=version.monthly_price_minor,
        periods=version.periods,
        total_minor=version.total_minor,
        deposit_minor=deposit_minor,
        deposit_status=deposit_status,
        payment_method=payment_method,
        livemode=livemode,
        signed_at=datetime.combine(signed_on, datetime.min.time(), tzinfo=UTC),
    )
    if with_calendar:
        calendar_generate(contract=contract, first_due_date=signed_on)
    return contract


def token_set(contract: Contract, token: str) -> None:
    """Change what the contract's saved sandbox method answers (the customer topped up, …)."""
    payment_method = contract.payment_method
    payment_method.token = f"{token}.{uuid.uuid4().hex[:16]}"
    payment_method.save(update_fields=["token"])
