"""Rows the rail tests need: a contract with a period and a STARTED attempt, built directly."""
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from pawpact.billing.enums import AttemptStatus, ContractStatus, PeriodStatus
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, PaymentMethod, Plan, PlanVersion
from pawpact.customers.enums import Species
from pawpact.customers.models import Customer, Pet


def customer_make(*, name: str = "Li Lei") -> Customer:
    phone = f"+86138{uuid.uuid4().int % 10**8:08d}"
    return Customer.objects.create(name=name, phone=phone, birth_date=date(1995, 5, 1))


def debit_attempt_make(
    *,
    rail: str = "stripe",
    token: str = "",
    customer_ref: str = "",
    amount_minor: int = 39_900,
    attempt_id: int | None = None,
    not_before: datetime = datetime(2026, 1, 1, tzinfo=UTC),
) -> DebitAttempt:
    """Period 1 of an active 12-period contract, with one STARTED attempt (in the current schema)."""
    plan, _ = Plan.objects.get_or_create(code="rails-test", defaults={"name": "Rails test plan"})
    version, _ = PlanVersion.objects.get_or_create(
        plan=plan,
        version=1,
        defaults={
            "monthly_price_minor": amount_minor,
            "periods": 12,
            "debit_day": 10,
            "scope_of_use": "Food and litter only",
            "deposit_minor": 0,
            "penalty_rate": Decimal("0.100"),
            "cooling_off_days": 7,
        },
    )
    customer = customer_make()
    pet = Pet.objects.create(owner=customer, name="Mimi", species=Species.CAT)
    method = PaymentMethod.objects.create(
        customer=customer, rail=rail, token=token or f"pm_test_{uuid.uuid4().hex[:12]}", rail_customer_ref=customer_ref
    )
    contract = Contract.objects.create(
        customer=customer,
        pet=pet,
        plan_version=version,
        status=ContractStatus.ACTIVE,
        monthly_amount_minor=amount_minor,
        periods=12,
        total_minor=amount_minor * 12,
        payment_method=method,
    )
    period = DebitPeriod.objects.create(
        contract=contract,
        number=1,
        due_date=not_before.date(),
        amount_minor=amount_minor,
        not_before=not_before,
        status=PeriodStatus.ATTEMPTED,
    )
    extra = {"id": attempt_id} if attempt_id is not None else {}
    return DebitAttempt.objects.create(
        period=period,
        number=1,
        idempotency_key=f"debit:{contract.uuid}:1:1",
        rail=rail,
        amount_minor=amount_minor,
        status=AttemptStatus.STARTED,
        **extra,
    )
