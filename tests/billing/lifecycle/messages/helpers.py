"""Rows and clocks for the lifecycle-message tests (call inside the shop's schema)."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, PlanVersion
from pawpact.core.clock import FixedClock
from pawpact.messaging.models import Message
from tests.billing.debits.factories import contract_create, plan_version_create

BEIJING = ZoneInfo("Asia/Shanghai")
SCOPE = "仅用于宠粮、猫砂、驱虫 / food, litter and deworming only"
# Signed on 12 January 2026, debit day 10: period 1 on 2026-01-12, period n on the 10th of
# the (n-1)-th following month (10 February is 29 days later: the rails' 28-day minimum
# holds), so period 3 is due 2026-03-10 and period 12 2026-12-10.
SIGNED_ON = date(2026, 1, 12)


def at_beijing(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING).astimezone(UTC)


def clock_on(day: date, hour: int = 12, minute: int = 0) -> FixedClock:
    return FixedClock(at_beijing(day, hour, minute))


def version_create(*, monthly_price_minor: int = 39_900, periods: int = 12) -> PlanVersion:
    version = plan_version_create(monthly_price_minor=monthly_price_minor, periods=periods, debit_day=10)
    version.scope_of_use = SCOPE
    version.save(update_fields=["scope_of_use"])
    return version


def active_contract(
    *, version: PlanVersion | None = None, status: ContractStatus = ContractStatus.ACTIVE, signed_on: date = SIGNED_ON
) -> Contract:
    return contract_create(plan_version=version or version_create(), status=status, signed_on=signed_on)


def message_rows(**filters) -> list[tuple]:
    """(customer_id, channel, category, topic, status, dedupe_key) of stored messages, oldest first."""
    return list(
        Message.objects.filter(**filters)
        .order_by("id")
        .values_list("customer_id", "channel", "category", "topic", "status", "dedupe_key")
    )


def days(n: int) -> timedelta:
    return timedelta(days=n)


def contract_start(contract: Contract, *, clock: FixedClock) -> Contract:
    """Take a draft (e.g. a renewal contract) through the real signing flow to ACTIVE:
    a credit score of 700 (no deposit), the adopter's signature, the customer's saved
    sandbox method, activation (period 1 collected today)."""
    from pawpact.billing.enums import CreditSource
    from pawpact.billing.models import PaymentMethod
    from pawpact.billing.services.activation import contract_activate
    from pawpact.billing.services.credit import CreditReport, credit_decision_record
    from pawpact.billing.services.signing import contract_attach_payment_method, contract_sign

    credit_decision_record(
        contract=contract, report=CreditReport(score=700, source=CreditSource.SANDBOX, evidence="test"), clock=clock
    )
    contract_sign(contract=contract, signer_name="Wang Fang", ip="127.0.0.1", user_agent="pytest", clock=clock)
    method = PaymentMethod.objects.filter(customer_id=contract.customer_id, is_active=True).first()
    contract_attach_payment_method(contract=contract, payment_method=method)
    return contract_activate(contract=contract, clock=clock)


def contract_finish(contract: Contract, *, day: date) -> None:
    """Every period paid and the contract completed (what the completion run leaves)."""
    from pawpact.billing.enums import PeriodStatus
    from pawpact.billing.models import DebitPeriod

    DebitPeriod.objects.filter(contract=contract).update(status=PeriodStatus.PAID, paid_at=at_beijing(day))
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.COMPLETED, ended_at=at_beijing(day))
    contract.refresh_from_db()
