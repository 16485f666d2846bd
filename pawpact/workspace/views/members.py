"""会员: the members list (tier, points, RFM, last activity; filters, exports, members per
tier), a member's page (tier, progress, points ledger) and the points adjustment."""
import uuid as uuid_lib

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty.evaluation import active_rule_set
from pawpact.loyalty.members import (
    member_list,
    member_points,
    member_progress,
    points_expiring,
    tier_counts,
    tier_history,
)
from pawpact.loyalty.models import Membership
from pawpact.loyalty.paid_membership import membership_live
from pawpact.loyalty.points import points_adjust
from pawpact.loyalty.rfm import rfm_scores_refresh
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.member_forms import PointsAdjustForm
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import forbidden, workspace_view

PAGE_SIZE = 25
SORTS = [
    ("name", gettext_lazy("Name")), ("-tier", gettext_lazy("Highest tier")), ("-points", gettext_lazy("Most points")),
    ("-rfm", gettext_lazy("Best RFM")), ("-activity", gettext_lazy("Latest activity")),
]  # fmt: skip
MEMBER_COLUMNS = [
    column(gettext_lazy("Name"), "customer__name"),
    column(gettext_lazy("Phone"), "customer__phone"),
    column(gettext_lazy("Tier"), "tier__name", show=lambda name: name or _("Not yet a member tier")),
    column(gettext_lazy("Points"), "points_balance"),
    column(gettext_lazy("Frozen points"), "points_frozen"),
    column(gettext_lazy("Recency (R)"), "rfm_recency"),
    column(gettext_lazy("Frequency (F)"), "rfm_frequency"),
    column(gettext_lazy("Monetary (M)"), "rfm_monetary"),
    column(gettext_lazy("Last activity"), "last_activity", show=local),
]


def _int(value: str):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def tier_chart(rows: list[tuple[str, int]]) -> dict:
    """An ECharts bar chart of members per tier (entry level first)."""
    labels = [name or _("Below the entry level") for name, _count in rows]
    return {
        "animation": False,  # the counts are the point, not the motion
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 32},
        "tooltip": {"trigger": "axis"},
        # Every bar labelled, long names wrapped: ECharts drops labels it finds crowded.
        "xAxis": {"type": "category", "data": labels,
                  "axisLabel": {"interval": 0, "hideOverlap": False, "width": 56, "overflow": "break"}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "bar", "name": pgettext("how many", "Members"), "data": [count for _name, count in rows],
             "label": {"show": True, "position": "top"}},
        ],
    }  # fmt: skip


@workspace_view(section="members")
def members(request):
    params = request.GET
    rows = member_list(
        query=params.get("q", "").strip(), tier_rank=_int(params.get("tier")), rfm_min=_int(params.get("rfm")),
        frozen_only=params.get("frozen") == "1", ordering=params.get("sort", "name"),
    )  # fmt: skip
    if params.get("export"):
        return export_response(request, rows, MEMBER_COLUMNS, name="members")
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    rule_set = active_rule_set()
    counts = tier_counts()
    context = {
        "page": page, "query": query.urlencode(), "filters": params, "sorts": SORTS,
        "tiers": list(rule_set.tiers.order_by("rank")) if rule_set else [], "rule_set": rule_set,
        "chart": tier_chart(counts), "total": sum(n for _name, n in counts),
        "may_edit_rules": role_allows(request.workspace_role, Action.MEMBER_RULES),
    }  # fmt: skip
    return render(request, "workspace/members/list.html", context)


@workspace_view(section="members")
def member_detail(request, uuid):
    customer = get_object_or_404(Customer, uuid=uuid)
    return _detail(request, customer, PointsAdjustForm(initial={"key": uuid_lib.uuid4().hex}))


def _detail(request, customer: Customer, form: PointsAdjustForm, status: int = 200):
    membership = Membership.objects.select_related("tier").filter(customer=customer).first()
    page = Paginator(member_points(customer=customer), 50).get_page(request.GET.get("page"))
    context = {
        "customer": customer, "membership": membership, "progress": member_progress(customer=customer),
        "page": page, "expiring": points_expiring(customer=customer), "form": form,
        "history": tier_history(customer=customer)[:50], "paid": membership_live(customer=customer),
        "may_adjust": role_allows(request.workspace_role, Action.POINTS_ADJUST),
    }  # fmt: skip
    return render(request, "workspace/members/detail.html", context, status=status)


@require_POST
@workspace_view(section="members")
def member_points_adjust(request, uuid):
    customer = get_object_or_404(Customer, uuid=uuid)
    if not role_allows(request.workspace_role, Action.POINTS_ADJUST):
        return forbidden(request)
    form = PointsAdjustForm(request.POST)
    if form.is_valid():
        try:
            points_adjust(customer=customer, points=form.cleaned_data["points"], reason=form.cleaned_data["reason"],
                          key=form.cleaned_data["key"])  # fmt: skip
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("The points are adjusted."))
            return redirect("workspace:member_detail", uuid=uuid)
    return _detail(request, customer, form, status=400)


@require_POST
@workspace_view(Action.MEMBER_RULES, section="members")
def rfm_refresh(request):
    """Score every member's R·F·M now rather than at the nightly run (one statement for the shop)."""
    scored = rfm_scores_refresh()
    messages.success(request, ngettext("%(n)d member scored: R·F·M filters and segments use the new scores.",
                                       "%(n)d members scored: R·F·M filters and segments use the new scores.",
                                       scored) % {"n": scored})  # fmt: skip
    return redirect("workspace:members")
