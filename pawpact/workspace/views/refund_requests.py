"""Customers' requests for the paid part of their stored value back: staff see the open
ones, refund on the customer's account page, then mark the request handled or decline it
with a reason the customer reads."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.loyalty.refund_request_models import StoredValueRefundRequest
from pawpact.loyalty.refund_requests import refund_request_decide
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import workspace_view
from pawpact.workspace.views.wallet import SECTION, _listing

REQUEST_COLUMNS = [
    column(gettext_lazy("Asked"), "created_at"),
    column(gettext_lazy("Customer"), "customer__name"),
    column(gettext_lazy("Phone"), "customer__phone"),
    column(gettext_lazy("Paid value (¥)"), "paid_minor", show=lambda fen: f"{fen / 100:.2f}"),
    column(gettext_lazy("Note"), "note"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(StoredValueRefundRequest(status=value).get_status_display())),
    column(gettext_lazy("Answer"), "answer"),
]  # fmt: skip


@workspace_view(section=SECTION)
def refund_requests(request):
    rows = StoredValueRefundRequest.objects.select_related("customer").order_by("status", "-created_at")
    context, export = _listing(request, rows, REQUEST_COLUMNS, name="stored-value-refund-requests")
    return export or render(request, "workspace/marketing/refund_requests.html", {
        **context, "may_edit": role_allows(request.workspace_role, Action.MARKETING)})  # fmt: skip


@workspace_view(Action.MARKETING, section=SECTION)
@require_POST
def refund_request_answer(request, pk: int):
    try:
        refund_request_decide(request_id=pk, handled=request.POST.get("decision") == "handled",
                              answer=request.POST.get("answer", ""), actor=request.user)  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request is answered; the customer sees it on their stored-value page."))
    return redirect("workspace:marketing_refund_requests")
