"""The tier rule editor's rows and the points adjustment form.

The editor is a table of up to eight tiers; each row's cells are named `t<row>-<field>`.
Spend is typed in yuan and handed to the rules in fen; the rules' own checks (pawpact.loyalty.tiers)
name the wrong cell as `tiers.<row>.<field>`, which `cell_errors` maps back onto the table.
"""
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.loyalty.models import QuotaPeriod, tier_name_display
from pawpact.loyalty.tiers import MAX_TIERS
from pawpact.workspace.fields import FEN_PER_YUAN, fen_to_yuan

WHOLE = ("min_paid_months", "min_visits", "window_months", "goods_discount_percent", "free_service_quota")
CELLS = ("name", "min_paid_months", "min_spend", "min_visits", "window_months", "goods_discount_percent",
         "free_service_quota", "quota_period", "points_multiplier", "birthday_multiplier")  # fmt: skip


def _yuan_to_fen(text: str, errors: dict, cell: str) -> int | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[cell] = [_("Enter an amount in yuan, such as 1000 or 1000.50.")]
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        errors[cell] = [_("Use at most 2 decimals (fen).")]
        return None
    if value < 0:
        errors[cell] = [_("The amount cannot be negative.")]
        return None
    return int(value * FEN_PER_YUAN)


def _whole(text: str, errors: dict, cell: str):
    try:
        return int(text)
    except ValueError:
        errors[cell] = [_("Enter a whole number.")]
        return None


def tier_rows_parse(data) -> tuple[list[dict], dict[str, list[str]], list[dict]]:
    """The rows the owner filled in (a row without a name and values is left out), as the
    rules take them; the cells that could not be read, by `tiers.<row>.<field>`; and the
    rows as typed, to show again with their errors."""
    tiers, errors, typed = [], {}, []
    for row in range(MAX_TIERS):
        raw = {cell: str(data.get(f"t{row}-{cell}", "")).strip() for cell in CELLS}
        if not any(raw[cell] for cell in CELLS if cell != "quota_period"):
            continue
        index = len(tiers)
        typed.append(raw)
        tier = {"name": raw["name"], "quota_period": raw["quota_period"] or QuotaPeriod.MONTH}
        for cell in WHOLE:
            tier[cell] = _whole(raw[cell], errors, f"tiers.{index}.{cell}") if raw[cell] else None
        tier["min_spend_minor"] = (
            _yuan_to_fen(raw["min_spend"], errors, f"tiers.{index}.min_spend_minor") if raw["min_spend"] else None
        )
        for cell in ("goods_discount_percent", "free_service_quota"):
            tier[cell] = tier[cell] or 0
        for cell in ("points_multiplier", "birthday_multiplier"):
            tier[cell] = raw[cell] or "1"
        tiers.append(tier)
    return tiers, errors, typed


def tier_rows_initial(tiers) -> list[dict]:
    """Rows for the table from tiers (model rows or preset dicts), padded to MAX_TIERS."""
    rows = []
    for tier in tiers:
        get = tier.get if isinstance(tier, dict) else lambda name, t=tier: getattr(t, name)
        row = {cell: get(cell) for cell in CELLS if cell != "min_spend"}
        row["name"] = tier_name_display(row["name"])
        row["min_spend"] = fen_to_yuan(get("min_spend_minor"))
        rows.append({cell: "" if value is None else value for cell, value in row.items()})
    return rows_padded(rows)


def rows_padded(rows: list[dict]) -> list[dict]:
    return rows + [{"quota_period": QuotaPeriod.MONTH} for _ in range(MAX_TIERS - len(rows))]


def cell_errors(errors: dict[str, list[str]]) -> dict[int, dict[str, list[str]]]:
    """`tiers.<row>.<field>` errors by row, then by cell name of the table."""
    rows: dict[int, dict[str, list[str]]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if len(parts) != 3 or parts[0] != "tiers":
            continue
        cell = "min_spend" if parts[2] == "min_spend_minor" else parts[2]
        rows.setdefault(int(parts[1]), {})[cell] = messages
    return rows


class PointsAdjustForm(forms.Form):
    points = forms.IntegerField(
        label=gettext_lazy("Points (negative to take away)"), min_value=-1_000_000, max_value=1_000_000
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return points


class MemberBenefitsForm(forms.Form):
    member_day = forms.IntegerField(
        label=gettext_lazy("Member day (day of the month, 1–31)"), required=False,
        help_text=gettext_lazy("Empty: no member day. In shorter months the member day is the month's last day."),
    )  # fmt: skip
    member_day_discount_percent = forms.IntegerField(
        label=gettext_lazy("Extra goods discount on member day (%)"), initial=0
    )
    member_day_points_multiplier = forms.DecimalField(
        label=gettext_lazy("Points multiplier on member day"), initial=1, max_digits=4, decimal_places=2
    )
    multi_pet_half_price = forms.BooleanField(
        label=gettext_lazy("A customer's second and further pets' services at half price"), required=False
    )
