"""ECharts options for the workspace's charts (plain dicts, rendered with json_script)."""
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pawpact.workspace.selectors.overview import MonthRow

BRAND = "#c2410c"
OK = "#15803d"
INK = "#52606d"


def _months(rows: list[MonthRow]) -> list[str]:
    return [date_format(row.month, "YEAR_MONTH_FORMAT") for row in rows]


def _base(rows: list[MonthRow]) -> dict:
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        # The legend sits below the chart: above it, it covered the axis names on a phone.
        "grid": {"left": 56, "right": 56, "top": 36, "bottom": 56},
        "xAxis": {"type": "category", "data": _months(rows), "axisLabel": {"hideOverlap": True}},
        "legend": {"bottom": 0},
    }


def signings_and_collections_chart(rows: list[MonthRow]) -> dict:
    """Bars: signings per month; line: money collected per month in yuan."""
    option = _base(rows)
    option["yAxis"] = [
        {"type": "value", "name": _("Signings"), "minInterval": 1},
        {"type": "value", "name": _("Collected (¥)"), "splitLine": {"show": False}},
    ]
    option["series"] = [
        {"name": _("Signings"), "type": "bar", "data": [row.signings for row in rows], "itemStyle": {"color": BRAND}},
        {
            "name": _("Collected (¥)"),
            "type": "line",
            "yAxisIndex": 1,
            "data": [round(row.collected_minor / 100, 2) for row in rows],
            "itemStyle": {"color": INK},
        },
    ]
    return option


def debit_success_chart(rows: list[MonthRow], *, target_percent: float = 98.0) -> dict:
    """Debit success rate per month (%), with the 98% target line."""
    option = _base(rows)
    option["yAxis"] = {"type": "value", "name": "%", "min": 0, "max": 100}
    option["series"] = [
        {
            "name": _("Debit success rate"),
            "type": "line",
            "connectNulls": False,
            "data": [row.success_percent for row in rows],
            "itemStyle": {"color": OK},
            "markLine": {
                "symbol": "none",
                "lineStyle": {"type": "dashed", "color": BRAND},
                "label": {
                    "formatter": _("Target %(target)s%%") % {"target": f"{target_percent:g}"},
                    "position": "insideEndTop",  # at the line's end it ran past the chart's edge
                },
                "data": [{"yAxis": target_percent}],
            },
        }
    ]
    return option
