"""Insights tests: events are written straight into PlatformEvent, as the outbox drain
leaves them, so each test states exactly the facts it computes from."""
import itertools
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from pawpact.accounts.models import User
from pawpact.core.clock import FixedClock
from pawpact.core.events import EventKind
from pawpact.platform.models import PlatformEvent
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop
from tests.conftest import SHOP_PASSWORD

# Noon in Beijing, Wednesday 15 April 2026: March 2026 is the last full month.
NOW = datetime(2026, 4, 15, 4, 0, tzinfo=UTC)
TODAY = date(2026, 4, 15)
MARCH = date(2026, 3, 1)
FEBRUARY = date(2026, 2, 1)
PRICES = {"basic": 39900, "advanced": 59900, "premium": 89900}
PERIODS = {"basic": 12, "advanced": 24, "premium": 24}

_event_ids = itertools.count(1)
BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: int, month: int = 3, year: int = 2026, hour: int = 12) -> datetime:
    """That day at `hour` Beijing time (UTC+8), by default noon."""
    return datetime(year, month, day, hour, 0, tzinfo=BEIJING).astimezone(UTC)


def emit(shop, kind: str, occurred_at: datetime, **payload) -> PlatformEvent:
    aggregate = payload.get("contract_uuid") or payload.get("order_uuid") or payload.get("complaint_uuid")
    return PlatformEvent.objects.create(
        shop=shop,
        tenant_event_id=next(_event_ids),
        kind=kind,
        aggregate_uuid=aggregate or uuid.uuid4(),
        payload=payload,
        occurred_at=occurred_at,
    )


def sign(shop, occurred_at: datetime, *, plan: str = "basic", customer: str | None = None,
         first_debit: bool = True) -> str:  # fmt: skip
    """A contract that starts at `occurred_at` (contract.signed, then its period 1 paid); its uuid."""
    contract = str(uuid.uuid4())
    payload = {
        "contract_uuid": contract,
        "customer_uuid": customer or str(uuid.uuid4()),
        "plan_code": plan,
        "plan_version": 1,
        "monthly_amount_minor": PRICES[plan],
        "periods": PERIODS[plan],
        "total_minor": PRICES[plan] * PERIODS[plan],
        "currency": "CNY",
        "signed_at": occurred_at.isoformat(),
    }
    emit(shop, EventKind.CONTRACT_SIGNED, occurred_at, **payload)
    if first_debit:
        debit(shop, occurred_at, contract=contract, amount=PRICES[plan], period=1)
    return contract


def debit(shop, occurred_at: datetime, *, contract: str, amount: int, period: int = 2, attempt: int = 1,
          paid: bool = True) -> PlatformEvent:  # fmt: skip
    payload = {
        "contract_uuid": contract,
        "period_number": period,
        "amount_minor": amount,
        "currency": "CNY",
        "attempt_number": attempt,
        "outcome": "succeeded" if paid else "insufficient_funds",
        "at": occurred_at.isoformat(),
    }
    if not paid:
        payload["decline_type"] = "soft"
    return emit(shop, EventKind.DEBIT_PAID if paid else EventKind.DEBIT_FAILED, occurred_at, **payload)


def overdue(shop, occurred_at: datetime, *, contract: str, period: int = 2, amount: int = 39900) -> PlatformEvent:
    return emit(shop, EventKind.PERIOD_OVERDUE, occurred_at, contract_uuid=contract, period_number=period,
                amount_minor=amount, currency="CNY", at=occurred_at.isoformat())  # fmt: skip


def recovered(shop, occurred_at: datetime, *, contract: str, period: int = 2, amount: int = 39900) -> PlatformEvent:
    return emit(shop, EventKind.PERIOD_RECOVERED, occurred_at, contract_uuid=contract, period_number=period,
                amount_minor=amount, currency="CNY", at=occurred_at.isoformat())  # fmt: skip


def terminate(shop, occurred_at: datetime, *, contract: str, reason: str) -> PlatformEvent:
    """contract.terminated as billing's termination service writes it (amounts not read here)."""
    return emit(shop, EventKind.CONTRACT_TERMINATED, occurred_at, contract_uuid=contract, reason=reason,
                paid_periods=12, periods=12, cancelled_minor=0, remaining_minor=0, penalty_minor=0, refund_minor=0,
                currency="CNY",
                at=occurred_at.isoformat())  # fmt: skip


def renewed(shop, occurred_at: datetime, *, contract: str, renewal: str) -> PlatformEvent:
    return emit(shop, EventKind.CONTRACT_RENEWED, occurred_at, contract_uuid=contract,
                renewal_contract_uuid=renewal, at=occurred_at.isoformat())  # fmt: skip


def written_off(shop, occurred_at: datetime, *, contract: str, period: int = 2, amount: int = 39900) -> PlatformEvent:
    return emit(shop, EventKind.PERIOD_WRITTEN_OFF, occurred_at, contract_uuid=contract, period_number=period,
                amount_minor=amount, currency="CNY", at=occurred_at.isoformat())  # fmt: skip


def order(shop, occurred_at: datetime, *, customer: str, amount: int) -> PlatformEvent:
    return emit(shop, EventKind.ORDER_PAID, occurred_at, order_uuid=str(uuid.uuid4()), customer_uuid=customer,
                amount_minor=amount, currency="CNY", at=occurred_at.isoformat())  # fmt: skip


def complaint(shop, occurred_at: datetime, *, customer: str) -> PlatformEvent:
    return emit(shop, EventKind.COMPLAINT_OPENED, occurred_at, complaint_uuid=str(uuid.uuid4()),
                customer_uuid=customer, category="food", at=occurred_at.isoformat())  # fmt: skip


def peer_shop(index: int, *, name: str | None = None) -> Shop:
    """A public Shop row without a schema: enough for facts, benchmarks and rankings."""
    slug = f"peer-{index:03d}"
    return Shop.objects.create(schema_name=f"shop_peer_{index:03d}", name=name or f"Peer Shop {index}",
                               slug=slug, state=ShopState.ACTIVE)  # fmt: skip


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def platform_admin(db):
    return User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)


def kpi_row(shop, month: date, **facts):
    """A ShopMonthlyKpi as kpi_facts_compute would write it for these facts."""
    from pawpact.platform.kpis.definitions import kpi_values, to_json
    from pawpact.platform.models import ShopMonthlyKpi

    row = ShopMonthlyKpi(shop=shop, month=month, **facts)
    row.values = {kpi: to_json(value) for kpi, value in kpi_values(row).items()}
    row.save()
    return row


# Debit success of six shops in March: alpha's and five peers' (distinct, so no quartile
# of six values equals a shop's own value: positions 1.25, 2.5 and 3.75).
PEER_SUCCESS = {"alpha": (980, 1000), "peer-001": (9123, 10000), "peer-002": (9377, 10000),
                "peer-003": (9641, 10000), "peer-004": (9911, 10000), "peer-005": (9999, 10000)}  # fmt: skip
# Overdue contracts of 1,000 active: 1.1 2.3 3.7 4 (alpha) 5.3 6.1 % → quartiles 2.65 %, 3.85 %, 4.975 %.
PEER_OVERDUE = {"alpha": 40, "peer-001": 11, "peer-002": 23, "peer-003": 37, "peer-004": 53, "peer-005": 61}


@pytest.fixture
def peers(shop):
    """Five schema-less peer shops and alpha with March (and February) facts."""
    shops = {"alpha": shop}
    for index in range(1, 6):
        shops[f"peer-{index:03d}"] = peer_shop(index, name=f"Zeta Rival {index}")
    for slug, (succeeded, attempted) in PEER_SUCCESS.items():
        for month in (FEBRUARY, MARCH):
            kpi_row(shops[slug], month, debits_attempted=attempted, debits_succeeded=succeeded, signings=30,
                    plan_revenue_minor=1_527_000, total_revenue_minor=2_000_000, active_contracts=1000,
                    overdue_contracts=PEER_OVERDUE[slug])  # fmt: skip
    return shops


def shop_browser(shop, *, is_staff: bool):
    """A browser on the shop's host, logged in as an owner of the shop (the shop's insights are
    for owners and managers) or as one of its customers."""
    from django.test import Client
    from django_tenants.utils import schema_context

    from tests.conftest import host_of

    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):  # sessions and users live in the shop's schema
        user = User.objects.create_user(
            f"{uuid.uuid4().hex[:8]}@{shop.slug}.test", SHOP_PASSWORD, is_staff=is_staff, is_superuser=is_staff
        )
        browser.force_login(user)
    return browser


@pytest.fixture
def funding(shop):
    """One paid advance (¥1,000, ¥300 collected) in a paid payout, one pending (¥500), a balanced journal."""
    from decimal import Decimal

    from pawpact.platform.enums import AdvanceStatus, PayoutStatus, PlatformAccount
    from pawpact.platform.models import Advance, Payout, PlatformJournal, PlatformLedgerLine

    signed_at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    common = dict(shop=shop, contract_value_minor=478_800, monthly_amount_minor=39_900, periods=12,
                  advance_rate=Decimal("0.9"), fee_minor=0, signed_at=signed_at, payable_on=date(2026, 3, 8))  # fmt: skip
    payout = Payout.objects.create(shop=shop, settlement_date=date(2026, 3, 8), advances_minor=100_000,
                                   amount_minor=100_000, status=PayoutStatus.PAID)  # fmt: skip
    Advance.objects.create(contract_uuid=uuid.uuid4(), amount_minor=100_000, status=AdvanceStatus.PAID,
                           payout=payout, collected_minor=30_000, **common)  # fmt: skip
    Advance.objects.create(contract_uuid=uuid.uuid4(), amount_minor=50_000, status=AdvanceStatus.PENDING, **common)
    journal = PlatformJournal.objects.create(idempotency_key="test-advance-paid", kind="advance_paid", shop=shop)
    PlatformLedgerLine.objects.create(journal=journal, account=PlatformAccount.ADVANCES_PAYABLE, amount_minor=100_000)
    PlatformLedgerLine.objects.create(journal=journal, account=PlatformAccount.CASH, amount_minor=-100_000)
