"""Server-side SVG charts for the dashboards: no JavaScript, no chart library.

Two kinds, both returning SVG markup safe to put in a template:
- `line_chart`: months along x; the shop's value (solid), the peer median (dashed),
  the peers' middle half as a band, and the product's target as a red line.
- `bar_chart`: horizontal bars with their counts (shops by risk state).
Every text goes through `escape`. Missing values leave gaps in a line.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

OWN = "#c2410c"
MEDIAN = "#52606d"
BAND = "#cbd2d9"
TARGET = "#b91c1c"
GRID = "#e4e4e0"
TEXT = "#1f2933"
FONT = 'font-family="system-ui, sans-serif"'

Number = Decimal | int | float


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    color: str = OWN
    dashed: bool = False


def _nice_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts `span` into about four."""
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= raw * 0.999)


def axis_range(values: Sequence[float], *, ceiling: float | None = None) -> tuple[float, float, float]:
    """(bottom, top, step) of a y axis showing `values`: from zero unless the values sit far
    from it (a debit success rate around 97 % gets 95–100 %), never above `ceiling` (100 %)
    when no value is."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    if high <= low:
        high = low + (abs(low) or 1.0)
    pad = (high - low) * 0.1
    if 0 <= low <= high / 2:
        bottom = 0.0
    else:
        bottom = max(low - pad, 0.0) if low >= 0 else low - pad
    top = high + pad
    step = _nice_step(top - bottom)
    bottom, top = math.floor(bottom / step + 1e-9) * step, math.ceil(top / step - 1e-9) * step
    if ceiling is not None and top > ceiling >= max(values, default=0.0):
        top = ceiling
    return bottom, top, step


def _floats(values: Sequence[Number | None]) -> list[float | None]:
    return [None if value is None else float(value) for value in values]


@dataclass(frozen=True)
class _Plot:
    """A line chart's plot area: month index → x at the middle of its slot, value → y."""

    width: int
    height: int
    count: int  # months along x
    y_min: float
    y_max: float
    step: float
    left: int = 64
    right: int = 12
    top: int = 30
    bottom: int = 44

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    def x(self, index: int) -> float:
        return self.left + (self.plot_w * (index + 0.5) / self.count)

    def y(self, value: float) -> float:
        return self.top + self.plot_h - self.plot_h * (value - self.y_min) / (self.y_max - self.y_min)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    band: tuple[Sequence[Number | None], Sequence[Number | None]] | None = None,
    target: Number | None = None,
    target_label: str = "",
    value_format: Callable[[float], str] = lambda value: f"{value:g}",
    ceiling: float | None = None,
    width: int = 460,
    height: int = 220,
) -> SafeString:
    lines = [_floats(s.values) for s in series]
    lows, highs = (_floats(band[0]), _floats(band[1])) if band else ([], [])
    seen = [v for values in (*lines, lows, highs) for v in values if v is not None]
    if target is not None:
        seen.append(float(target))
    y_min, y_max, step = axis_range(seen, ceiling=ceiling)
    plot = _Plot(width=width, height=height, count=max(len(labels), 1), y_min=y_min, y_max=y_max, step=step)
    parts = _svg_open(title=title, width=width, height=height, title_x=plot.left)
    parts += _y_grid(plot, value_format)
    parts += _x_labels(plot, labels)
    if band:
        parts += _band(plot, lows, highs)
    if target is not None:
        parts.append(
            f'<line class="target" x1="{plot.left}" x2="{width - plot.right}" y1="{plot.y(float(target)):.1f}" '
            f'y2="{plot.y(float(target)):.1f}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    for one, values in zip(series, lines, strict=True):
        parts.extend(_polyline(one, values, plot.x, plot.y))
    parts += _legend(plot, series, target_label=target_label if target is not None else None)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _svg_open(*, title: str, width: int, height: int, title_x: int) -> list[str]:
    """The SVG element, its accessible title, and the title printed at the top left."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{title_x}" y="18" {FONT} font-size="13" font-weight="600" fill="{TEXT}">{escape(title)}</text>',
    ]


def _y_grid(plot: _Plot, value_format: Callable[[float], str]) -> list[str]:
    """A horizontal grid line at every step of the y axis, labelled on the left."""
    parts = []
    for index in range(math.floor((plot.y_max - plot.y_min) / plot.step + 1e-9) + 1):
        value = plot.y_min + index * plot.step
        y = plot.y(value)
        parts.append(
            f'<line x1="{plot.left}" x2="{plot.width - plot.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} font-size="10" '
            f'fill="{MEDIAN}">{escape(value_format(value))}</text>'
        )
    return parts


def _x_labels(plot: _Plot, labels: Sequence[str]) -> list[str]:
    """At most about six month labels: the last month always, then every `every` before it."""
    every = max(1, -(-plot.count // 6))
    return [
        f'<text x="{plot.x(index):.1f}" y="{plot.top + plot.plot_h + 14}" text-anchor="middle" {FONT} font-size="10" '
        f'fill="{MEDIAN}">{escape(label)}</text>'
        for index, label in enumerate(labels)
        if (plot.count - 1 - index) % every == 0
    ]


def _band(plot: _Plot, lows: list[float | None], highs: list[float | None]) -> list[str]:
    """The peers' middle half, shaded, over the months where both bounds are known."""
    pairs = enumerate(zip(lows, highs, strict=True))
    known = [(i, lo, high) for i, (lo, high) in pairs if lo is not None and high is not None]
    if not known:
        return []
    upper = [(plot.x(i), plot.y(high)) for i, _lo, high in known]
    lower = [(plot.x(i), plot.y(lo)) for i, lo, _high in known]
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in upper + lower[::-1])
    return [f'<polygon class="band" points="{points}" fill="{BAND}" fill-opacity="0.45"/>']


def _legend(plot: _Plot, series: Sequence[Series], *, target_label: str | None) -> list[str]:
    """A sample of each line and its name along the bottom, then the target's, if any."""
    parts = []
    legend_y, legend_x = plot.height - 8, plot.left
    for one in series:
        dash = ' stroke-dasharray="5 3"' if one.dashed else ""
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{one.color}" stroke-width="2"{dash}/>'
        )
        parts.append(
            f'<text x="{legend_x + 22}" y="{legend_y}" {FONT} font-size="10" fill="{TEXT}">{escape(one.name)}</text>'
        )
        legend_x += 30 + 6 * len(one.name)
    if target_label is not None:
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
        parts.append(f'<text x="{legend_x + 22}" y="{legend_y}" {FONT} font-size="10" fill="{TEXT}">'
                     f"{escape(target_label)}</text>")  # fmt: skip
    return parts


def _polyline(one: Series, values: list[float | None], x, y) -> list[str]:
    """One line, broken where a value is missing, with a dot on every point."""
    dash = ' stroke-dasharray="5 3"' if one.dashed else ""
    parts, run = [], []
    for index, value in enumerate([*values, None]):
        if value is not None:
            run.append(f"{x(index):.1f},{y(value):.1f}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline class="series" points="{" ".join(run)}" fill="none" stroke="{one.color}" '
                f'stroke-width="2"{dash}/>'
            )
        run = []
    for index, value in enumerate(values):
        if value is not None:
            parts.append(f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="2.5" fill="{one.color}"/>')
    return parts


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    color: str = MEDIAN


def bar_chart(*, title: str, bars: Sequence[Bar], width: int = 460) -> SafeString:
    """Horizontal bars, one per row, each with its count at its end."""
    row, left, right, top = 28, 170, 40, 30
    height = top + row * len(bars) + 8
    top_value = max((bar.value for bar in bars), default=0) or 1
    plot_w = width - left - right
    parts = _svg_open(title=title, width=width, height=height, title_x=8)
    for index, bar in enumerate(bars):
        y = top + index * row
        length = plot_w * bar.value / top_value
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" {FONT} font-size="12" fill="{TEXT}">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(length, 1):.1f}" height="{row - 10}" '
            f'fill="{bar.color}" rx="2"/>'
        )
        parts.append(
            f'<text x="{left + length + 6:.1f}" y="{y + 15}" {FONT} font-size="12" fill="{TEXT}">{bar.value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def axis_format(unit: str) -> Callable[[float], str]:
    """Short labels for a y axis: 2.5%, 2×, ¥12.6k, 30."""
    if unit == "rate":
        return lambda value: f"{value * 100:.3g}%"
    if unit == "ratio":
        return lambda value: f"{value:.3g}×"
    if unit == "money":  # fen on the axis, yuan in the label
        return lambda value: f"¥{value / 100_000:.3g}k" if value >= 100_000 else f"¥{value / 100:.3g}"
    return lambda value: f"{value:.3g}"


def kpi_trend_chart(*, series, unit: str, own_label: str, median_label: str, target_label: str = "") -> SafeString:
    """A KPI's 12-month trend (a pawpact.platform.kpis.selectors.KpiSeries): own value vs the
    peer median, the middle half of the peers shaded, the product's target marked."""
    return line_chart(
        title=series.label,
        labels=[month.strftime("%Y-%m") for month in series.months],
        series=[Series(own_label, series.values, OWN), Series(median_label, series.p50, MEDIAN, dashed=True)],
        band=(series.p25, series.p75),
        target=series.target,
        target_label=target_label,
        value_format=axis_format(unit),
        ceiling=1.0 if unit == "rate" else None,
    )
