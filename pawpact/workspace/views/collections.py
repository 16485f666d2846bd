"""扣款与催收: the call queue with outcomes, each late customer's standing and debt, owed
periods (write-off with a reason), deferral coupons, and the latest failed debits."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.enums import AttemptStatus, CallTaskStatus
from pawpact.billing.models import CallTask, DebitAttempt, DebitPeriod
from pawpact.billing.services.dunning import period_write_off_by_staff
from pawpact.billing.services.escalation import call_task_close, call_task_list
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.customers.enums import CustomerStanding
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.collections import (
    LATE_STANDINGS,
    deferral_coupon_recent_list,
    dunning_standing_list,
    owed_period_list,
)
from pawpact.workspace.views.frame import workspace_view
from pawpact.workspace.views.tables import LATE_CUSTOMER_COLUMNS, OWED_PERIOD_COLUMNS

LIST_LIMIT = 100


@workspace_view(section="collections")
def collections(request):
    standing = request.GET.get("standing", "")
    if request.GET.get("export") and request.GET.get("list") == "owed":
        return export_response(request, owed_period_list(), OWED_PERIOD_COLUMNS, name="owed-periods")
    if request.GET.get("export"):
        return export_response(request, dunning_standing_list(standing=standing), LATE_CUSTOMER_COLUMNS, name="late-customers")
    context = {
        "tasks": call_task_list()[:LIST_LIMIT],
        "late": dunning_standing_list(standing=standing)[:LIST_LIMIT],
        "standing": standing,
        "standing_query": f"standing={standing}" if standing in LATE_STANDINGS else "",
        "standings": [(value, CustomerStanding(value).label) for value in LATE_STANDINGS],
        "owed": owed_period_list()[:LIST_LIMIT],
        "coupons": deferral_coupon_recent_list()[:20],
        "failed": DebitAttempt.objects.filter(status=AttemptStatus.FAILED)
        .select_related("period__contract__customer")
        .order_by("-finished_at")[:20],
        "may_write_off": role_allows(request.workspace_role, Action.WRITE_OFF),
    }
    return render(request, "workspace/collections.html", context)


def _error_text(error: DomainError) -> str:
    details = [message for field in error.fields.values() for message in field]
    return sentences_join(details) or error.message


@require_POST
@workspace_view(Action.COLLECT, section="collections")
def call_task_outcome(request, task_id: int):
    task = get_object_or_404(CallTask, pk=task_id)
    status = CallTaskStatus.CANCELLED if request.POST.get("status") == "cancelled" else CallTaskStatus.DONE
    try:
        call_task_close(task=task, outcome_note=request.POST.get("outcome_note", ""), status=status, staff=request.user)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The outcome is recorded."))
    return redirect("workspace:collections")


@require_POST
@workspace_view(Action.WRITE_OFF, section="collections")
def period_write_off(request, period_id: int):
    period = get_object_or_404(DebitPeriod, pk=period_id)
    try:
        period_write_off_by_staff(period=period, reason=request.POST.get("reason", ""), staff=request.user)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Period %(n)d is written off as bad debt.") % {"n": period.number})
    return redirect(reverse("workspace:collections") + "#owed")
