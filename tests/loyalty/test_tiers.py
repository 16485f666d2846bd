"""Tier rules per shop: presets, bad ladders refused, upgrades at once, the on-time lift,
held members frozen, the yearly drop and the background re-evaluation in SQL."""
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.core.errors import ValidationFailed
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer
from pawpact.loyalty.evaluation import members_evaluate_ids, reevaluation_run, tier_drop_run
from pawpact.loyalty.models import Membership, Reevaluation, ReevaluationStatus, Tier, TierBasis, TierRuleSet
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset, tier_preset_apply, tier_rules_save
from tests.loyalty.conftest import NOW, member
from tests.loyalty.helpers import monthly_debits, order

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def rank_of(customer) -> tuple[int, str | None]:
    membership = Membership.objects.select_related("tier").get(customer=customer)
    return membership.tier_rank, membership.tier.name if membership.tier else None


def test_both_presets_seed_their_ladders(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rules, _run = tier_preset_apply(basis=TierBasis.PAID_MONTHS)
    assert [(t.name, t.min_paid_months) for t in rules.tiers.all()] == [
        ("Normal", 0), ("Gold", 3), ("Platinum", 6), ("Diamond", 12)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        spend, _run = tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    assert [(t.name, t.min_spend_minor, t.min_visits, t.window_months) for t in spend.tiers.all()] == [
        ("Bronze", 10_000, None, None), ("Silver", 100_000, 6, 6), ("Gold", 500_000, 15, 12),
        ("Diamond", 2_000_000, 30, 24),
    ]  # fmt: skip
    assert list(TierRuleSet.objects.filter(active=True)) == [spend]
    assert spend.version == 2 and not TierRuleSet.objects.get(pk=rules.pk).active


@pytest.mark.parametrize(
    ("basis", "change", "field"),
    [
        (TierBasis.PAID_MONTHS, {2: {"min_paid_months": 3}}, "tiers.2.min_paid_months"),  # overlaps Gold
        (TierBasis.PAID_MONTHS, {3: {"min_paid_months": 5}}, "tiers.3.min_paid_months"),  # below Platinum
        (TierBasis.SPEND_VISITS, {2: {"min_spend_minor": 90_000}}, "tiers.2.min_spend_minor"),
        (TierBasis.SPEND_VISITS, {3: {"min_visits": 15}}, "tiers.3.min_visits"),
        (TierBasis.SPEND_VISITS, {2: {"window_months": 3}}, "tiers.2.window_months"),
        (TierBasis.SPEND_VISITS, {1: {"min_spend_minor": -1}}, "tiers.1.min_spend_minor"),
        (TierBasis.PAID_MONTHS, {1: {"points_multiplier": "1.234"}}, "tiers.1.points_multiplier"),
        (TierBasis.PAID_MONTHS, {1: {"goods_discount_percent": 101}}, "tiers.1.goods_discount_percent"),
        (TierBasis.PAID_MONTHS, {1: {"name": "Normal"}}, "tiers.1.name"),
    ],
)
def test_a_bad_ladder_is_refused_and_nothing_is_written(basis, change, field, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        before, _run = tier_preset_apply(basis=TierBasis.PAID_MONTHS)
    tiers = tier_preset(basis)
    for index, values in change.items():
        tiers[index].update(values)

    with pytest.raises(ValidationFailed) as refused:
        tier_rules_save(basis=basis, tiers=tiers)

    assert field in refused.value.fields
    assert list(TierRuleSet.objects.all()) == [before] and TierRuleSet.objects.get().active
    assert Tier.objects.count() == 4 and Reevaluation.objects.count() == 1


def test_upgrades_apply_at_once_as_paid_months_arrive(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis=TierBasis.PAID_MONTHS)
    customer = member()
    late = lambda i: i != 1
    monthly_debits(customer, count=2, last=NOW - timedelta(days=60), on_time=late)
    assert rank_of(customer) == (0, "Normal")
    monthly_debits(customer, count=1, last=NOW, on_time=lambda i: False)
    assert rank_of(customer) == (1, "Gold")
    assert Membership.objects.get(customer=customer).tier_since == date(2026, 3, 9)


def test_six_on_time_debits_in_a_row_lift_one_level_early(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    steady, broken = member(), member()
    monthly_debits(steady, count=6, last=NOW, amount_minor=5_000)  # ¥300: Bronze, lifted to Silver
    monthly_debits(broken, count=6, last=NOW, amount_minor=5_000, on_time=lambda i: i != 2)
    assert rank_of(steady) == (1, "Silver")
    assert rank_of(broken) == (0, "Bronze")  # only 3 on time since the late one


def test_spend_or_visits_within_the_window(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
    old_spender, visitor = member(), member()
    # ¥1,200 spent 7 months ago: outside Silver's 6-month window.
    points_events_apply(events=[order(old_spender, at=NOW - timedelta(days=213), amount_minor=120_000)])
    assert rank_of(old_spender) == (0, "Bronze")
    points_events_apply(events=[order(visitor, at=NOW - timedelta(days=i), amount_minor=2_000) for i in range(6)])
    assert rank_of(visitor) == (1, "Silver")  # ¥120 spent, but 6 visits in 6 months


def test_a_member_whose_payment_is_overdue_makes_no_tier_progress(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis=TierBasis.PAID_MONTHS)
    customer = member()
    monthly_debits(customer, count=1, last=NOW - timedelta(days=90), on_time=lambda i: False)
    Customer.objects.filter(pk=customer.pk).update(standing=CustomerStanding.OVERDUE)
    monthly_debits(customer, count=3, last=NOW, on_time=lambda i: False)
    assert rank_of(customer) == (0, "Normal")
    Customer.objects.filter(pk=customer.pk).update(standing=CustomerStanding.CURRENT)
    members_evaluate_ids(ids=[customer.pk])
    assert rank_of(customer) == (1, "Gold")  # the 4 paid months count once the customer is current


def test_a_year_below_the_level_drops_one_level(django_capture_on_commit_callbacks, traveller):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis=TierBasis.PAID_MONTHS)
    lapsed, fresh = member(), member()
    for customer in (lapsed, fresh):
        monthly_debits(customer, count=4, last=NOW, on_time=lambda i: False)
    assert rank_of(lapsed) == rank_of(fresh) == (1, "Gold")
    Membership.objects.filter(customer=lapsed).update(tier_rank=3, qualified_on=date(2025, 3, 8))
    Membership.objects.filter(customer=fresh).update(tier_rank=3, qualified_on=date(2025, 3, 10))

    assert tier_drop_run() == 1

    assert rank_of(lapsed) == (2, "Platinum")
    assert Membership.objects.get(customer=lapsed).qualified_on == date(2026, 3, 9)  # another year at Platinum
    assert Membership.objects.get(customer=fresh).tier_rank == 3
    assert tier_drop_run() == 0


def test_a_rule_change_reevaluates_everyone_in_chunks_with_progress(django_capture_on_commit_callbacks):
    customers = [member() for _ in range(7)]
    for count, customer in enumerate(customers):
        monthly_debits(customer, count=count * 2, last=NOW, on_time=lambda i: False)
    _rules, run = tier_rules_save(basis=TierBasis.PAID_MONTHS, tiers=tier_preset(TierBasis.PAID_MONTHS))
    assert run.status == ReevaluationStatus.QUEUED and run.total == Customer.objects.count()

    with CaptureQueriesContext(connection) as queries:
        run = reevaluation_run(reevaluation_id=run.pk, chunk=3)

    assert (run.status, run.done, run.percent) == (ReevaluationStatus.DONE, run.total, 100)
    assert [rank_of(c)[1] for c in customers] == ["Normal", "Normal", "Gold", "Platinum", "Platinum", "Platinum",
                                                  "Diamond"]  # fmt: skip
    # Set-based: a few statements per chunk, however many members a chunk holds.
    chunks = -(-(customers[-1].pk - Customer.objects.order_by("id").first().pk + 1) // 3)
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SET ", "SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 8 + 6 * chunks


def test_another_shop_sees_none_of_it(other_shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tier_preset_apply(basis=TierBasis.PAID_MONTHS)
    monthly_debits(member(), count=3, last=NOW)
    with schema_context(other_shop.schema_name):
        assert TierRuleSet.objects.count() == Tier.objects.count() == Membership.objects.count() == 0
        assert tier_drop_run() == 0
