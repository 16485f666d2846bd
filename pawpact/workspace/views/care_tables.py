"""The columns the booking and complaint lists export: headers translated, values as the shop reads them."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.care.enums import BenefitSource, BookingStatus, ComplaintCategory, ComplaintStatus, PaymentStatus
from pawpact.workspace.exports import column, local, yuan


def _label(choices):
    return lambda value: str(choices(value).label) if value in choices.values else value


BOOKING_COLUMNS = [
    column(_("Starts"), "starts_at", show=local),
    column(_("Ends"), "ends_at", show=local),
    column(pgettext_lazy("care", "Service"), "service__name"),
    column(_("With"), "resource__name"),
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(pgettext_lazy("pet", "Pet"), "pet__name"),
    column(_("Status"), "status", show=_label(BookingStatus)),
    column(_("Paid by"), "benefit_source", show=_label(BenefitSource)),
    column(_("Price (¥)"), "price_minor", show=yuan),
    column(_("To pay (¥)"), "amount_due_minor", show=yuan),
    column(_("Payment"), "payment_status", show=_label(PaymentStatus)),
    column(_("Booked on"), "created_at", show=local),
]

COMPLAINT_COLUMNS = [
    column(_("Opened"), "opened_at", show=local),
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(pgettext_lazy("complaint", "Category"), "category", show=_label(ComplaintCategory)),
    column(_("Status"), "status", show=_label(ComplaintStatus)),
    column(_("Respond by"), "respond_by", show=local),
    column(_("First response"), "responded_at", show=local),
    column(_("Resolve by"), "resolve_by", show=local),
    column(_("Resolved"), "resolved_at", show=local),
    column(_("Response deadline missed"), "response_breached_at", show=local),
    column(_("Resolution deadline missed"), "resolution_breached_at", show=local),
    column(_("Reopened"), "reopened_count"),
    column(pgettext_lazy("incident", "What happened"), "text"),
]
