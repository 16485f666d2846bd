"""The staff call queue (outcome notes) and deferral coupons."""
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pawpact.billing.enums import CallTaskStatus
from pawpact.billing.models import (
    CallTask,
    DeferralCoupon,
)
from pawpact.billing.services.deferral import deferral_coupon_issue, deferral_coupon_issue_check
from pawpact.billing.services.escalation import call_task_close
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.core.admin import ShopOnlyAdmin, money_display
from pawpact.core.errors import DomainError

# the staff call queue (outcome notes) and deferral coupons


class CallTaskOutcomeForm(forms.ModelForm):
    """The only thing staff write on a task: what happened, and whether it is done."""

    status = forms.ChoiceField(
        label=_("close as"), choices=[(CallTaskStatus.DONE, _("Done")), (CallTaskStatus.CANCELLED, _("Cancelled"))]
    )

    class Meta:
        model = CallTask
        fields = ["outcome_note", "status"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.status != CallTaskStatus.OPEN:
            raise forms.ValidationError(_("This task is closed already."))
        if not (cleaned.get("outcome_note") or "").strip():
            self.add_error("outcome_note", _("Write what happened (the outcome of the call or visit)."))
        return cleaned


class CallTaskOpenFilter(admin.SimpleListFilter):
    """Open tasks by default: the queue is the work still to do."""

    title = _("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("closed", _("Closed")), ("all", _("All"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open"),
        }
        yield from super().choices(changelist)

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "closed":
            return queryset.exclude(status=CallTaskStatus.OPEN)
        return queryset.filter(status=CallTaskStatus.OPEN)


@admin.register(CallTask)
class CallTaskAdmin(ShopOnlyAdmin):
    list_display = ["due_on", "kind", "customer", "phone", "period_label", "amount", "status", "outcome_note"]
    list_filter = [CallTaskOpenFilter, "kind"]
    list_select_related = ["customer", "period__contract"]
    search_fields = ["customer__name", "customer__phone", "outcome_note"]
    ordering = ["due_on", "id"]
    form = CallTaskOutcomeForm
    readonly_fields = ["customer", "phone", "period_label", "amount", "kind", "due_on", "created_at", "done_at",
                       "assigned_to"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # dunning opens tasks

    def get_fields(self, request, obj=None):
        return [*self.readonly_fields, "outcome_note", "status"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != CallTaskStatus.OPEN:
            return [*self.readonly_fields, "outcome_note", "status"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):

        try:
            closed = call_task_close(
                task=obj,
                outcome_note=form.cleaned_data["outcome_note"],
                status=form.cleaned_data["status"],
                staff=request.user,
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        obj.status, obj.outcome_note, obj.done_at = closed.status, closed.outcome_note, closed.done_at

    @admin.display(description=_("phone"))
    def phone(self, task: CallTask) -> str:
        return task.customer.phone

    @admin.display(description=_("period"))
    def period_label(self, task: CallTask) -> str:
        if task.period is None:
            return "—"
        return _("%(number)d of %(periods)d, due %(date)s") % {
            "number": task.period.number,
            "periods": task.period.contract.periods,
            "date": task.period.due_date.isoformat(),
        }

    @admin.display(description=_("amount"))
    def amount(self, task: CallTask) -> str:
        return "—" if task.period is None else money_display(task.period.amount_minor, task.period.currency)


class DeferralCouponIssueForm(forms.ModelForm):
    class Meta:
        model = DeferralCoupon
        fields = ["contract", "reason"]

    def clean(self):
        cleaned = super().clean()
        contract = cleaned.get("contract")
        if contract is not None and not self.errors:

            try:
                deferral_coupon_issue_check(contract=contract, settings=billing_settings_get())
            except DomainError as error:
                self.add_error("contract", error.message)
        return cleaned


@admin.register(DeferralCoupon)
class DeferralCouponAdmin(ShopOnlyAdmin):
    """Staff issue coupons here (through the service); customers use them in the app."""

    list_display = ["contract", "reason", "issued_at", "used_on", "used_at"]
    list_select_related = ["contract__customer", "contract__plan_version__plan", "used_on"]
    search_fields = ["contract__customer__name", "contract__customer__phone"]
    raw_id_fields = ["contract"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = DeferralCouponIssueForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return ["contract", "reason"] if obj is None else ["contract", "reason", "issued_at", "used_on", "used_at"]

    def save_model(self, request, obj, form, change):

        issued = deferral_coupon_issue(contract=obj.contract, reason=obj.reason)
        obj.pk, obj.issued_at = issued.pk, issued.issued_at
