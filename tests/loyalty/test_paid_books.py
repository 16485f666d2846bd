"""Membership money in the books the platform reads: its charges and refunds cross as events
into the shop's revenue KPIs (revenue share, LTV), the shop's ledger check verifies every
membership payment has its journal, and the providers' statements are matched against them."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from pawpact.billing.enums import JournalKind, LedgerAccount
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.selectors import ledger_check
from pawpact.billing.services.reconciliation import statement_reconcile
from pawpact.core.clock import FixedClock
from pawpact.core.months import month_start
from pawpact.loyalty.paid_books import loyalty_charges_for_reconciliation
from pawpact.loyalty.paid_membership import paid_membership_join
from pawpact.loyalty.paid_models import ChargeStatus, PaidCharge, PaidStatus
from pawpact.loyalty.paid_refunds import paid_membership_cancel
from pawpact.loyalty.paid_renewals import paid_renewals_run
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.base import StatementLine
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.kpis.facts import kpi_facts_compute
from tests.loyalty.conftest import NOW, member
from tests.loyalty.paid_helpers import method, plan
from pawpact.core.events import EventKind
from pawpact.platform.models import PlatformEvent

pytestmark = pytest.mark.django_db
APRIL_15 = datetime(2026, 4, 15, 4, 0, tzinfo=UTC)


def _join(customer, membership_plan, key: str, clock):
    return paid_membership_join(customer=customer, plan=membership_plan, payment_method=method(customer),
                                request_key=key, clock=clock)  # fmt: skip


def _march_of_memberships(shop, traveller):
    """A (also a plan customer) pays ¥9.90 a month, joined 9 March and renewed 9 April; B pays
    ¥99 a year on 9 March and is refunded in full on 10 March; D pays ¥99 a year on 9 March."""
    with schema_context(shop.schema_name):
        clock = FixedClock(NOW)
        a, b, d = member(name="A"), member(name="B"), member(name="D")
        monthly, yearly, refundable = plan(990), plan(9_900, months=12), plan(9_800, months=12, refund_days=7)
        _join(a, monthly, "a", clock)
        _join(d, yearly, "d", clock)
        refunded = _join(b, refundable, "b", clock)
        clock.advance(timedelta(days=1))
        traveller.move_to(clock.now())
        assert paid_membership_cancel(membership=refunded, clock=clock).status == PaidStatus.REFUNDED
        outbox_drain_and_apply(shop=shop, clock=clock)
        clock.advance(timedelta(days=30))
        traveller.move_to(clock.now())
        assert paid_renewals_run(clock=clock) == 1
        outbox_drain_and_apply(shop=shop, clock=clock)
        kinds = sorted(OutboxEvent.objects.filter(kind__startswith="membership.").values_list("kind", flat=True))
        assert kinds == ["membership.charged"] * 4 + ["membership.ended", "membership.refunded"]
        return str(a.uuid)


def _plan_customer(shop, customer: str) -> None:
    """A's basic plan as the drain leaves it: signed and ¥399.00 debited on 2 March."""
    contract, day = str(uuid.uuid4()), datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    signed = {"contract_uuid": contract, "customer_uuid": customer, "plan_code": "basic", "plan_version": 1,
              "monthly_amount_minor": 39_900, "periods": 12, "total_minor": 478_800, "currency": "CNY",
              "signed_at": day.isoformat()}  # fmt: skip
    debited = {"contract_uuid": contract, "period_number": 1, "amount_minor": 39_900, "currency": "CNY",
               "attempt_number": 1, "outcome": "succeeded", "at": day.isoformat()}  # fmt: skip
    for number, (kind, payload) in enumerate(((EventKind.CONTRACT_SIGNED, signed), (EventKind.DEBIT_PAID, debited))):
        PlatformEvent.objects.create(shop=shop, tenant_event_id=90_000 + number, kind=kind, aggregate_uuid=contract,
                                     payload=payload, occurred_at=day)  # fmt: skip


def test_membership_charges_and_refunds_reach_the_shops_revenue_share_and_ltv(shop, other_shop, traveller):
    a = _march_of_memberships(shop, traveller)
    _plan_customer(shop, a)
    clock = FixedClock(APRIL_15)
    march = kpi_facts_compute(shop=shop, month=month_start(NOW.date()), clock=clock)
    # 39,900 debited + memberships 990 (A) + 9,800 − 9,800 (B, refunded) + 9,900 (D).
    assert (march.plan_revenue_minor, march.total_revenue_minor) == (39_900, 50_790)
    assert march.values["plan_revenue_share"] == "0.785588"  # 39,900 / 50,790
    assert march.customers == 3  # A with a contract, B and D with membership charges
    # To the month's end: plan customer A 39,900 + 990; ordinary B 0 and D 9,900, over 2.
    assert (march.plan_customer_ltv_minor, march.ordinary_customer_ltv_minor) == (40_890, 4_950)
    april = kpi_facts_compute(shop=shop, month=APRIL_15.date(), clock=clock)
    assert (april.plan_revenue_minor, april.total_revenue_minor) == (0, 990)  # A's renewal on 9 April
    assert april.plan_customer_ltv_minor == 41_880
    quiet = kpi_facts_compute(shop=other_shop, month=month_start(NOW.date()), clock=clock)
    assert (quiet.total_revenue_minor, quiet.customers, quiet.ordinary_customer_ltv_minor) == (0, 0, 0)


@pytest.mark.usefixtures("in_shop")
def test_the_ledger_check_finds_every_membership_payment_and_refund_with_its_journal(shop):
    clock = FixedClock(NOW)
    a, b = member(), member()
    _join(a, plan(990), "a", clock)
    _join(b, plan(9_800, months=12, refund_days=7), "b", clock)
    paid_membership_cancel(membership=b.paid_memberships.get(), clock=clock)
    clock.advance(timedelta(days=31))
    paid_renewals_run(clock=clock)
    check = ledger_check()
    assert check.is_ok, check.problems
    # A charge recorded as paid without its journal, and a journal without its charge.
    membership = a.paid_memberships.get()
    ghost = PaidCharge.objects.create(membership=membership, period_start=membership.period_end, amount_minor=990,
                                      charge_key="membership:ghost", status=ChargeStatus.PAID)  # fmt: skip
    journal_post(key=f"{JournalKind.MEMBERSHIP_PAID}:stray", kind=JournalKind.MEMBERSHIP_PAID,
                 lines=[Line(LedgerAccount.STORE_CASH, 500), Line(LedgerAccount.MEMBERSHIP_REVENUE, -500)])  # fmt: skip
    assert ledger_check().problems == [
        "1 paid membership charge(s) without their journal at their amount: membership.paid:membership:ghost",
        "1 'membership paid' journal(s) without a paid charge: membership.paid:stray",
        "membership revenue 2480 != charges paid 12770 − refunded 9800",
    ]
    with pytest.raises(CommandError):
        call_command("billing_ledger_check", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PaidCharge.objects.filter(pk=ghost.pk, status=ChargeStatus.PAID).exists()  # the check changes nothing


@pytest.mark.usefixtures("in_shop")
def test_provider_statements_match_membership_charges_in_their_shop_only(shop, other_shop):
    clock = FixedClock(NOW)
    customer = member()
    _join(customer, plan(990), "a", clock)
    charge = PaidCharge.objects.get()
    line = StatementLine(kind="charge", order_no=out_trade_no(charge.charge_key), provider_reference="t1",
                         amount_minor=990)  # fmt: skip
    day = NOW.date()
    matched = statement_reconcile(rail="sandbox", livemode=False, day=day, lines=[line], clock=clock)
    assert (matched.lines, matched.matched, matched.mismatches) == (1, 1, [])
    short = StatementLine(kind="charge", order_no=line.order_no, provider_reference="t1", amount_minor=980)
    (mismatch,) = statement_reconcile(rail="sandbox", livemode=False, day=day, lines=[short], clock=clock).mismatches
    assert (mismatch.kind, mismatch.amount_minor, mismatch.our_amount_minor) == ("amount_differs", 980, 990)
    (missing,) = statement_reconcile(rail="sandbox", livemode=False, day=day, lines=[], clock=clock).mismatches
    assert (missing.kind, missing.our_amount_minor) == ("missing_at_provider", 990)
    with schema_context(other_shop.schema_name):
        assert loyalty_charges_for_reconciliation(rail="sandbox", livemode=False, start=None, end=None) == []
        (foreign,) = statement_reconcile(rail="sandbox", livemode=False, day=day, lines=[line], clock=clock).mismatches
        assert foreign.kind == "missing_here"


@pytest.mark.usefixtures("in_shop")
def test_the_staff_figures_take_a_refund_off_the_revenue_of_its_month(shop):
    from pawpact.loyalty.paid_selectors import paid_member_list, paid_months, paid_summary

    clock = FixedClock(NOW)
    kept, refunded = member(), member()
    _join(kept, plan(990), "k", clock)
    gone = _join(refunded, plan(9_800, months=12, refund_days=7), "r", clock)
    paid_membership_cancel(membership=gone, clock=clock)
    assert paid_summary(clock=clock).revenue_month_minor == 990
    assert [(row.month.isoformat(), row.revenue_minor) for row in paid_months(months=2, clock=clock)] == [
        ("2026-02-01", 0), ("2026-03-01", 990)]  # fmt: skip
    assert sorted(paid_member_list().values_list("customer__name", "paid_minor")) == [
        (kept.name, 990), (refunded.name, 0)]  # fmt: skip
