"""The server-side SVG charts (pure functions)."""
from decimal import Decimal

import pytest

from pawpact.platform.kpis.charts import Bar, Series, axis_format, axis_range, bar_chart, line_chart


def test_text_is_escaped():
    svg = line_chart(title="<script>alert(1)</script>", labels=["2026-03"], series=[Series("a&b", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert "<script>" not in bar_chart(title="t", bars=[Bar("<b>", 1)])


def test_a_missing_value_breaks_the_line_and_the_target_is_drawn():
    svg = line_chart(title="t", labels=["1", "2", "3", "4", "5"], series=[Series("s", [1, 2, None, 4, 5])],
                     target=Decimal("3"), target_label="Target ≥ 3")  # fmt: skip
    assert svg.count('class="series"') == 2  # 1–2 and 4–5
    assert svg.count("<circle") == 4
    assert svg.count('class="target"') == 1 and "Target ≥ 3" in svg


def test_axes_zoom_on_rates_near_the_top_and_stop_at_100_percent():
    assert axis_range([0.955, 0.97, 0.995, 0.98], ceiling=1.0) == pytest.approx((0.94, 1.0, 0.02))
    assert axis_range([0.012, 0.05, 0.03]) == pytest.approx((0.0, 0.06, 0.02))
    assert axis_range([]) == pytest.approx((0.0, 1.5, 0.5))
    assert [axis_format("rate")(0.975), axis_format("money")(1_527_000), axis_format("ratio")(2.5)] == [
        "97.5%", "¥15.3k", "2.5×"]  # fmt: skip


def test_bars_are_proportional():
    svg = bar_chart(title="Shops by risk state", bars=[Bar("Healthy", 8), Bar("Watch", 2), Bar("Blocked", 0)])
    widths = [float(part.split('"')[0]) for part in svg.split('class="bar" x="170" y="')[1:] for part in
              [part.split('width="')[1]]]  # fmt: skip
    assert widths == [250.0, 62.5, 1.0]  # a zero still shows as a sliver
