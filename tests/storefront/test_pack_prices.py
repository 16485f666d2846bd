"""The sandbox warehouse prices a product line by its pack size: a bigger pack costs more in
all and no more per kilo (or per size for toys); the first SKUs keep the costs tests rely on."""
import re
from collections import defaultdict

from pawpact_warehouse.catalog import generate


def test_bigger_packs_cost_more_and_less_per_unit():
    rows = generate()
    assert len(rows) == 1470
    lines = defaultdict(list)
    for row in rows:
        line = re.sub(r"\s?[\d.]+k?g$|（.号）$", "", row["name"])
        lines[(row["category"], line)].append(row)
    for (category, line), skus in lines.items():
        costs = [row["cost_minor"] for row in skus]
        assert costs == sorted(costs) and len(set(costs)) == len(costs), (line, costs)
        if category != "toys":
            per_gram = [row["cost_minor"] / row["weight_g"] for row in skus]
            assert per_gram == sorted(per_gram, reverse=True), (line, per_gram)
    by_sku = {row["sku"]: row for row in rows}
    assert by_sku["FC-0001"]["cost_minor"] == 7_900
