"""The plan editor's forms: terms in yuan and percent, entitlements and rewards as rows.

Field names match the plan service's term names (`monthly_price_minor`, `penalty_rate`…),
so an error the service raises lands next to the field that caused it.
"""
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pawpact.billing.enums import EntitlementKind
from pawpact.billing.models import MAX_PENALTY_RATE, PlanVersion
from pawpact.workspace.fields import PercentField, YuanField, fen_to_yuan, rate_to_percent

MAX_PENALTY_PERCENT = MAX_PENALTY_RATE * 100


class PlanTermsForm(forms.Form):
    monthly_price_minor = YuanField(label=_("Monthly price (¥)"), help_text=_("In yuan, up to 2 decimals: 399 or 399.50."))
    periods = forms.IntegerField(
        label=_("Number of periods"), min_value=12, max_value=24,
        help_text=_("12 to 24 monthly debits."),
        error_messages={"min_value": _("A plan runs for 12 to 24 periods."), "max_value": _("A plan runs for 12 to 24 periods.")},
    )  # fmt: skip
    debit_day = forms.IntegerField(
        label=_("Debit day of the month"), min_value=1, max_value=28, initial=1,
        error_messages={"min_value": _("Choose a day from 1 to 28."), "max_value": _("Choose a day from 1 to 28.")},
    )  # fmt: skip
    deposit_minor = YuanField(
        label=_("Deposit (¥)"), allow_zero=True, initial=Decimal("0"),
        help_text=_("Asked only when the credit score is below 600; refundable. 0 for none."),
    )  # fmt: skip
    penalty_rate = PercentField(
        label=_("Early termination penalty (%)"), min_value=Decimal("0"), max_value=MAX_PENALTY_PERCENT,
        help_text=_("Of the remaining amount; at most 10."),
        error_messages={"max_value": _("The penalty is at most 10%% of the remaining amount.")},
    )  # fmt: skip
    cooling_off_days = forms.IntegerField(
        label=_("Cooling-off days"), min_value=0, max_value=365, initial=7,
        help_text=_("Cancelling within these days is free, with a full refund."),
    )  # fmt: skip
    health_guarantee_days = forms.IntegerField(label=_("Health guarantee days"), min_value=0, max_value=365, initial=30)
    scope_of_use = forms.CharField(
        label=_("Directed scope of use"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with every amount, e.g. “for food, litter and deworming only”."),
    )  # fmt: skip

    def terms(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


def _name_en_field() -> forms.CharField:
    return forms.CharField(
        label=_("English name"), max_length=80, required=False,
        help_text=_("Shown to customers and staff who read English; the plan name otherwise."),
    )  # fmt: skip


class PlanCreateForm(PlanTermsForm):
    name = forms.CharField(label=_("Plan name"), max_length=80)
    name_en = _name_en_field()
    field_order = ["name", "name_en"]


class PlanRenameForm(forms.Form):
    name = forms.CharField(label=_("Plan name"), max_length=80)
    name_en = _name_en_field()
    is_active = forms.BooleanField(label=_("On sale (offered in new signings)"), required=False)


class EntitlementRowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntitlementKind.choices, initial=EntitlementKind.FOOD)
    item = forms.CharField(label=_("Item"), max_length=80, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors or not any(cleaned.get(name) for name in ("item", "quantity", "unit")):
            return cleaned
        if not cleaned.get("item"):
            self.add_error("item", _("Name the item."))
        if not cleaned.get("quantity"):
            self.add_error("quantity", _("Enter how many."))
        if not (cleaned.get("unit") or "").strip():
            self.add_error("unit", _("Give the unit (kg, bag, visit…)."))
        return cleaned

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("item"):
            return None
        return {"kind": data["kind"], "item": data["item"].strip(), "quantity": data["quantity"], "unit": data["unit"].strip()}


class RewardRowForm(forms.Form):
    consecutive_paid = forms.IntegerField(label=_("After consecutive paid periods"), min_value=1, max_value=24, required=False)
    kind = forms.ChoiceField(label=_("Reward"), choices=EntitlementKind.choices, initial=EntitlementKind.DEWORMING)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors or not (cleaned.get("consecutive_paid") or cleaned.get("quantity")):
            return cleaned
        if not cleaned.get("consecutive_paid"):
            self.add_error("consecutive_paid", _("Enter after how many paid periods."))
        if not cleaned.get("quantity"):
            self.add_error("quantity", _("Enter how many."))
        return cleaned

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("consecutive_paid"):
            return None
        return {"consecutive_paid": data["consecutive_paid"], "kind": data["kind"], "quantity": data["quantity"]}


class _RowsFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every posted row is read, also one left as it was shown (Django would skip an
        # unchanged extra row; blank rows are dropped by the row's own rule).
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form

    minimum_message = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Rows show their labels once, in the table head: each input still says what it is.
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def rows(self) -> list[dict]:
        return [row for form in self.forms if (row := form.row()) is not None]

    def clean(self):
        if any(self.errors):
            return
        if self.minimum_message and not self.rows():
            raise forms.ValidationError(self.minimum_message)


class EntitlementFormSet(_RowsFormSet):
    minimum_message = _("List at least one monthly entitlement (e.g. food 2 kg).")


EntitlementRows = forms.formset_factory(EntitlementRowForm, formset=EntitlementFormSet, extra=2, max_num=20)
RewardRows = forms.formset_factory(RewardRowForm, formset=_RowsFormSet, extra=1, max_num=10)


def plan_editor(data=None, *, version: PlanVersion | None = None, create: bool = False):
    """(terms form, entitlement rows, reward rows), prefilled from `version` when given."""
    initial, entitlements, rewards = {}, [], []
    if version is not None:
        initial = {
            "monthly_price_minor": fen_to_yuan(version.monthly_price_minor), "periods": version.periods,
            "debit_day": version.debit_day, "deposit_minor": fen_to_yuan(version.deposit_minor),
            "penalty_rate": rate_to_percent(version.penalty_rate), "cooling_off_days": version.cooling_off_days,
            "health_guarantee_days": version.health_guarantee_days, "scope_of_use": version.scope_of_use,
        }  # fmt: skip
        entitlements, rewards = list(version.entitlements), list(version.fulfilment_rewards)
    form_class = PlanCreateForm if create else PlanTermsForm
    return (
        form_class(data, initial=initial),
        EntitlementRows(data, initial=entitlements, prefix="entitlements"),
        RewardRows(data, initial=rewards, prefix="rewards"),
    )
