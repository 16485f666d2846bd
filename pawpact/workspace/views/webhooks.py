"""Webhooks for the shop's developers (owner and managers): endpoints with the event types
they receive, the signing secret shown once, pausing and resuming, the delivery log with
each delivery's attempts and last answer, a manual resend and the log's export."""
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.core.events import CATALOGUE
from pawpact.core.opaque_ids import EVENT, opaque_id
from pawpact.core.text import sentences_join
from pawpact.outbox.models import WebhookDelivery, WebhookEndpoint
from pawpact.outbox.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from pawpact.tenants.modes import current_livemode
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local
from pawpact.workspace.views.frame import workspace_view

LIST_LIMIT = 100
_SECRET_KEY = "webhook_secret:%s"

DELIVERY_COLUMNS = (
    column(gettext_lazy("Created"), "created_at", show=local),
    column(gettext_lazy("Event"), "event_id", show=lambda value: opaque_id(EVENT, value)),
    column(gettext_lazy("Event type"), "event__kind"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(WebhookDelivery.Status(value).label)),
    column(gettext_lazy("Attempts"), "attempts"),
    column(gettext_lazy("Response code"), "last_status_code"),
    column(gettext_lazy("Error"), "last_error"),
    column(gettext_lazy("Next attempt"), "next_attempt_at", show=local),
    column(pgettext_lazy("webhook", "Delivered"), "delivered_at", show=local),
)


class EndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Event types"), widget=forms.CheckboxSelectMultiple,
        choices=[(kind, f"{kind} — {spec.description}") for kind, spec in sorted(CATALOGUE.items())],
    )  # fmt: skip
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)


def _error_text(error: DomainError) -> str:
    return sentences_join(message for field in error.fields.values() for message in field) or error.message


@workspace_view(Action.WEBHOOKS, section="webhooks")
def webhooks(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_endpoint_create(**form.cleaned_data)
        except DomainError as error:
            form.add_error("url", _error_text(error))
        else:
            request.session[_SECRET_KEY % endpoint.uuid] = secret
            return redirect("workspace:webhook_detail", uuid=endpoint.uuid)
    context = {"form": form, "endpoints": WebhookEndpoint.objects.order_by("-id")[:LIST_LIMIT],
               "livemode": current_livemode()}  # fmt: skip
    return render(request, "workspace/webhooks/list.html", context, status=400 if form.errors else 200)


@workspace_view(Action.WEBHOOKS, section="webhooks")
def webhook_detail(request, uuid):
    endpoint = get_object_or_404(WebhookEndpoint, uuid=uuid)
    status = request.GET.get("status", "")
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    if request.GET.get("export"):
        return export_response(request, deliveries, DELIVERY_COLUMNS, name="webhook-deliveries")
    context = {
        "endpoint": endpoint,
        "secret": request.session.pop(_SECRET_KEY % endpoint.uuid, ""),
        "deliveries": deliveries[:LIST_LIMIT],
        "status": status if status in WebhookDelivery.Status.values else "",
        "statuses": WebhookDelivery.Status.choices,
    }
    return render(request, "workspace/webhooks/detail.html", context)


@require_POST
@workspace_view(Action.WEBHOOKS, section="webhooks")
def webhook_action(request, uuid, action: str):
    endpoint = get_object_or_404(WebhookEndpoint, uuid=uuid)
    if action == "delete":
        webhook_endpoint_delete(endpoint=endpoint)
        messages.success(request, _("The endpoint and its delivery log are removed."))
        return redirect("workspace:webhooks")
    if action not in ("enable", "disable"):
        return redirect("workspace:webhook_detail", uuid=endpoint.uuid)
    webhook_endpoint_update(endpoint=endpoint, is_active=action == "enable")
    messages.success(request, _("Events are sent again.") if action == "enable" else _("Sending is paused."))
    return redirect("workspace:webhook_detail", uuid=endpoint.uuid)


@require_POST
@workspace_view(Action.WEBHOOKS, section="webhooks")
def webhook_resend(request, uuid, delivery_uuid):
    delivery = get_object_or_404(WebhookDelivery, endpoint__uuid=uuid, uuid=delivery_uuid)
    done = webhook_delivery_resend(delivery=delivery)
    if done.status == WebhookDelivery.Status.SUCCEEDED:
        messages.success(request, _("Delivered."))
    else:
        messages.error(request, _("Not delivered: the endpoint did not answer 2xx."))
    return redirect("workspace:webhook_detail", uuid=uuid)
