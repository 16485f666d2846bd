"""扣款与催收: today's failed debits, the call queue with outcomes, and the overdue customers."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.enums import AttemptStatus, CallTaskStatus
from pawpact.billing.models import CallTask, DebitAttempt
from pawpact.billing.services.escalation import call_task_close, call_task_list
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.workspace.enums import Action
from pawpact.workspace.selectors.overview import OVERDUE_STANDINGS
from pawpact.workspace.views.frame import workspace_view

LIST_LIMIT = 100


@workspace_view(section="collections")
def collections(request):
    context = {
        "tasks": call_task_list()[:LIST_LIMIT],
        "failed": DebitAttempt.objects.filter(status=AttemptStatus.FAILED)
        .select_related("period__contract__customer")
        .order_by("-finished_at")[:20],
        "overdue": Customer.objects.filter(standing__in=OVERDUE_STANDINGS).order_by("standing_since")[:LIST_LIMIT],
    }
    return render(request, "workspace/collections.html", context)


@require_POST
@workspace_view(Action.COLLECT, section="collections")
def call_task_outcome(request, task_id: int):
    task = get_object_or_404(CallTask, pk=task_id)
    status = CallTaskStatus.CANCELLED if request.POST.get("status") == "cancelled" else CallTaskStatus.DONE
    try:
        call_task_close(task=task, outcome_note=request.POST.get("outcome_note", ""), status=status, staff=request.user)
    except DomainError as error:
        details = [message for field in error.fields.values() for message in field]
        messages.error(request, " ".join(details) or error.message)
    else:
        messages.success(request, _("The outcome is recorded."))
    return redirect("workspace:collections")
