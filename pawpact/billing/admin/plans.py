"""Plans and their immutable versions."""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pawpact.billing.models import (
    Plan,
    PlanVersion,
)
from pawpact.billing.services.plans import TERM_FIELDS, plan_current_version, plan_terms_errors, plan_version_create
from pawpact.core.admin import ShopOnlyAdmin, money_column, money_display


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["version", "monthly", "periods", "total", "debit_day", "penalty_rate", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    monthly = money_column("monthly_price_minor", _("monthly price"))
    total = money_column("total_minor", _("total cost"))


@admin.register(Plan)
class PlanAdmin(ShopOnlyAdmin):
    list_display = ["name", "code", "is_active", "current_price", "current_periods"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "is_active"]
    inlines = [PlanVersionInline]

    def get_readonly_fields(self, request, obj=None):
        # Contracts and the API refer to plans by code.
        return ["code"] if obj else []

    @admin.display(description=_("monthly price"))
    def current_price(self, plan: Plan) -> str:
        version = plan_current_version(plan=plan)
        return money_display(version.monthly_price_minor, version.currency) if version else "—"

    @admin.display(description=_("periods"))
    def current_periods(self, plan: Plan):
        version = plan_current_version(plan=plan)
        return version.periods if version else "—"


class PlanVersionForm(forms.ModelForm):
    """Prefilled with the plan's current terms; saving creates the next version."""

    class Meta:
        model = PlanVersion
        fields = ["plan", *TERM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "fulfilment_rewards" in self.fields:  # absent when a saved version is shown read-only
            self.fields["fulfilment_rewards"].required = False  # a plan may have none

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fulfilment_rewards") in (None, ""):
            cleaned["fulfilment_rewards"] = []
        terms = {field: cleaned[field] for field in TERM_FIELDS if field in cleaned}
        for field, problems in plan_terms_errors(terms).items():
            if field in self.fields and field not in self.errors:
                for problem in problems:
                    self.add_error(field, problem)
        return cleaned


@admin.register(PlanVersion)
class PlanVersionAdmin(ShopOnlyAdmin):
    """Versions are immutable: add one to change a plan; signed contracts keep theirs."""

    form = PlanVersionForm
    list_display = ["plan", "version", "monthly", "periods", "total", "deposit", "penalty_rate", "created_at"]
    list_filter = ["plan"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        plan = Plan.objects.filter(pk=initial.get("plan")).first()
        current = plan_current_version(plan=plan) if plan else None
        if current is not None:
            initial.update({field: getattr(current, field) for field in TERM_FIELDS})
        return initial

    def save_model(self, request, obj, form, change):
        terms = {field: form.cleaned_data[field] for field in TERM_FIELDS}
        version = plan_version_create(plan=form.cleaned_data["plan"], **terms)
        obj.pk, obj.version = version.pk, version.version

    def save_related(self, request, form, formsets, change):
        pass

    monthly = money_column("monthly_price_minor", _("monthly price"))
    total = money_column("total_minor", _("total cost"))
    deposit = money_column("deposit_minor", _("deposit"))
