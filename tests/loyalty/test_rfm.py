"""RFM quintiles within the shop, from the members' activity of the last two years."""
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.loyalty.models import Membership
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.rfm import rfm_scores_refresh
from tests.loyalty.conftest import NOW, member
from tests.loyalty.helpers import order

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def test_quintiles_rank_recency_frequency_and_spend(other_shop):
    members = [member() for _ in range(5)]
    silent = member()
    for i, customer in enumerate(members):  # member i: i+1 orders of ¥(i+1)×10, the last i×10 days ago
        points_events_apply(events=[
            order(customer, at=NOW - timedelta(days=10 * i + n), amount_minor=(i + 1) * 1_000) for n in range(i + 1)
        ])  # fmt: skip
    points_events_apply(events=[order(silent, at=NOW - timedelta(days=800), amount_minor=99_900)])  # > 2 years ago

    assert rfm_scores_refresh() == 6

    scores = {m.customer_id: (m.rfm_recency, m.rfm_frequency, m.rfm_monetary) for m in Membership.objects.all()}
    assert [scores[c.pk] for c in members] == [(5, 1, 1), (4, 2, 2), (3, 3, 3), (2, 4, 4), (1, 5, 5)]
    assert scores[silent.pk] == (1, 1, 1)
    with schema_context(other_shop.schema_name):
        assert rfm_scores_refresh() == 0
