"""loyalty's scheduled runs: per shop, in the shop's schema only."""
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.core.tasks import WrongSchema
from pawpact.loyalty.evaluation import reevaluation_run
from pawpact.loyalty.models import Membership, PointsEntry, ReevaluationStatus, TierBasis
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tasks import loyalty_daily_run_shop_task, points_release_shop_task
from pawpact.loyalty.tiers import tier_preset, tier_rules_save
from tests.loyalty.conftest import NOW, member
from tests.loyalty.helpers import monthly_debits, order

pytestmark = pytest.mark.usefixtures("traveller")


def test_the_daily_run_reevaluates_expires_and_scores_in_the_shop_only(in_shop, other_shop, traveller):
    _rules, run = tier_rules_save(basis=TierBasis.PAID_MONTHS, tiers=tier_preset(TierBasis.PAID_MONTHS))
    reevaluation_run(reevaluation_id=run.pk)
    customer = member()
    points_events_apply(events=[order(customer, at=datetime(2025, 6, 1, tzinfo=UTC), amount_minor=8_000)])
    monthly_debits(customer, count=3, last=NOW, on_time=lambda i: False)
    traveller.move_to(datetime(2027, 1, 1, 2, 0, tzinfo=UTC))

    loyalty_daily_run_shop_task()

    membership = Membership.objects.get(customer=customer)
    assert (membership.tier_rank, membership.points_balance) == (1, 300)  # the 2025 lot of 80 expired
    assert membership.rfm_recency > 0
    assert PointsEntry.objects.filter(customer=customer, kind="expire").count() == 1
    with schema_context(other_shop.schema_name):
        loyalty_daily_run_shop_task()
        assert Membership.objects.count() == PointsEntry.objects.count() == 0


def test_the_shop_runs_refuse_the_public_schema(db):
    connection.set_schema_to_public()
    with pytest.raises(WrongSchema):
        loyalty_daily_run_shop_task()
    with pytest.raises(WrongSchema):
        points_release_shop_task()


def test_a_run_for_superseded_rules_stops_and_the_newer_run_does_the_work(in_shop):
    customer = member()
    monthly_debits(customer, count=6, last=NOW - timedelta(days=1), on_time=lambda i: False)
    _old, stale = tier_rules_save(basis=TierBasis.PAID_MONTHS, tiers=tier_preset(TierBasis.PAID_MONTHS))
    _new, current = tier_rules_save(basis=TierBasis.SPEND_VISITS, tiers=tier_preset(TierBasis.SPEND_VISITS))

    stale = reevaluation_run(reevaluation_id=stale.pk)
    assert (stale.status, stale.done) == (ReevaluationStatus.DONE, 0)
    assert Membership.objects.get(customer=customer).tier_rank == -1

    current = reevaluation_run(reevaluation_id=current.pk)
    assert current.done == current.total
    assert Membership.objects.select_related("tier").get(customer=customer).tier.name == "Silver"  # ¥2,394 in 6 months
