"""会员 · Paid membership: the members (filters, XLSX/CSV), this month's members, revenue and
churn, twelve months of revenue and churn in a chart, and the plans (the owner edits them)."""
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.core.errors import DomainError
from pawpact.loyalty.paid_membership import paid_plan_save
from pawpact.loyalty.paid_models import PaidPlan, PaidStatus
from pawpact.loyalty.paid_selectors import paid_member_list, paid_months, paid_summary
from pawpact.workspace.charts import BRAND, INK
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local, yuan
from pawpact.workspace.fields import YuanField, fen_to_yuan
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import workspace_view

PAGE_SIZE = 25
PERIODS = [(1, gettext_lazy("Monthly")), (3, gettext_lazy("Quarterly")), (12, gettext_lazy("Yearly"))]
STATUSES = [("live", gettext_lazy("Members now")), *[(s.value, s.label) for s in PaidStatus if s not in ("paying", "failed")]]
COLUMNS = (
    column(gettext_lazy("Name"), "customer__name"),
    column(gettext_lazy("Phone"), "customer__phone"),
    column(gettext_lazy("Membership plan"), "plan__name"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(PaidStatus(value).label)),
    column(gettext_lazy("Joined"), "created_at", show=local),
    column(gettext_lazy("Period ends"), "period_end"),
    column(gettext_lazy("Cancelled (ends at period end)"), "cancel_at_period_end",
           show=lambda value: _("Yes") if value else _("No")),
    column(gettext_lazy("Paid in total (¥)"), "paid_minor", show=yuan),
)  # fmt: skip


class PaidPlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=40)
    price = YuanField(label=gettext_lazy("Price (¥)"))
    months = forms.TypedChoiceField(label=gettext_lazy("Billed"), choices=PERIODS, coerce=int)
    goods_discount_percent = forms.IntegerField(label=gettext_lazy("Goods discount (%)"), min_value=0, max_value=90, initial=0)
    points_multiplier = forms.DecimalField(label=gettext_lazy("Points multiplier"), min_value=1, max_value=10,
                                           decimal_places=2, initial=1)  # fmt: skip
    free_services_per_month = forms.IntegerField(label=gettext_lazy("Free services per month"), min_value=0,
                                                 max_value=31, initial=0)  # fmt: skip
    member_day_extra_percent = forms.IntegerField(label=gettext_lazy("Extra goods discount on member day (%)"), min_value=0,
                                                  max_value=90, initial=0)  # fmt: skip
    trial_days = forms.IntegerField(label=gettext_lazy("Free trial days (once per customer; 0: none)"), min_value=0,
                                    max_value=31, initial=0)  # fmt: skip
    refund_days = forms.IntegerField(label=gettext_lazy("Full refund when cancelled within (days; 0: no refunds)"),
                                     min_value=0, max_value=31, initial=0, required=False)  # fmt: skip
    active = forms.BooleanField(label=gettext_lazy("On sale"), required=False, initial=True)

    @classmethod
    def initial_of(cls, plan: PaidPlan) -> dict:
        fields = ("name", "months", "goods_discount_percent", "points_multiplier", "free_services_per_month",
                  "member_day_extra_percent", "trial_days", "refund_days", "active")  # fmt: skip
        return {"price": fen_to_yuan(plan.price_minor), **{name: getattr(plan, name) for name in fields}}

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["price_minor"] = data.pop("price")
        data["refund_days"] = data.get("refund_days") or 0
        return data


def paid_chart(rows) -> dict:
    """Bars: membership revenue per month in yuan; line: memberships that ended (churn)."""
    return {
        "animation": False, "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
        "grid": {"left": 56, "right": 48, "top": 36, "bottom": 56},
        "xAxis": {"type": "category", "data": [date_format(row.month, "YEAR_MONTH_FORMAT") for row in rows],
                  "axisLabel": {"hideOverlap": True}},
        "yAxis": [{"type": "value", "name": _("Revenue (¥)")},
                  {"type": "value", "name": _("Ended"), "minInterval": 1, "splitLine": {"show": False}}],
        "series": [
            {"name": _("Revenue (¥)"), "type": "bar", "itemStyle": {"color": BRAND},
             "data": [round(row.revenue_minor / 100, 2) for row in rows]},
            {"name": _("Ended"), "type": "line", "yAxisIndex": 1, "itemStyle": {"color": INK},
             "data": [row.ended for row in rows]},
        ],
    }  # fmt: skip


@workspace_view(section="members")
def paid_members(request):
    params = request.GET
    plan_id = params.get("plan", "")
    rows = paid_member_list(status=params.get("status", ""), plan_id=int(plan_id) if plan_id.isdigit() else None,
                            query=params.get("q", "").strip())  # fmt: skip
    if params.get("export"):
        return export_response(request, rows, COLUMNS, name="paid-members")
    query = params.copy()
    query.pop("page", None)
    return render(request, "workspace/members/paid.html", {
        "page": Paginator(rows, PAGE_SIZE).get_page(params.get("page")), "query": query.urlencode(), "filters": params,
        "statuses": STATUSES, "plans": PaidPlan.objects.order_by("-active", "price_minor", "id"),
        "summary": paid_summary(), "chart": paid_chart(paid_months()),
        "may_edit": role_allows(request.workspace_role, Action.MEMBER_RULES),
    })  # fmt: skip


@workspace_view(Action.MEMBER_RULES, section="members")
def paid_plan_edit(request, pk: int | None = None):
    plan = get_object_or_404(PaidPlan, pk=pk) if pk else None
    form = PaidPlanForm(request.POST or None, initial=PaidPlanForm.initial_of(plan) if plan else None)
    if request.method == "POST" and form.is_valid():
        try:
            paid_plan_save(plan=plan, **form.service_data())
        except DomainError as error:
            error.fields = {("price" if name == "price_minor" else name): errors for name, errors in error.fields.items()}
            form_errors_apply(form, error)
        else:
            messages.success(request, _("The membership plan is saved."))
            return redirect("workspace:paid_members")
    return render(request, "workspace/members/paid_plan.html", {"form": form, "plan": plan},
                  status=400 if form.errors else 200)  # fmt: skip
