"""Carriers as the reader knows them: warehouses report the carrier's English name, a Chinese
page shows the carrier's Chinese one (顺丰速运, 京东物流…); an unknown carrier shows as reported."""
from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pawpact.core.bilingual import in_reader_language, text_in_reader_language
from pawpact.storefront.parcel_reasons import parcel_reason_text

register = template.Library()

CARRIERS = {
    "SF Express": _("SF Express"),
    "ZTO Express": _("ZTO Express"),
    "YTO Express": _("YTO Express"),
    "JD Logistics": _("JD Logistics"),
    "STO Express": _("STO Express"),
    "Yunda Express": _("Yunda Express"),
    "EMS": _("EMS"),
}


@register.filter
def carrier(name: str) -> str:
    return str(CARRIERS.get(name, name or ""))


@register.filter
def shown_name(line) -> str:
    """An order's or parcel's line in the reader's language: the name stored when it was made
    is the warehouse's Chinese one; an English page shows the SKU's English name when it has one."""
    sku = getattr(line, "warehouse_sku", None)
    return in_reader_language(line.name, sku.name_en if sku is not None else "")


@register.filter
def parcel_problem(parcel) -> str:
    """Why a parcel waits, in the reader's language (see pawpact.storefront.parcel_reasons)."""
    return parcel_reason_text(parcel)


@register.filter
def reship_state(request) -> str:
    """A reship request's state as it really is: "sent again" only once the new parcel has left
    the warehouse; before that, approved and where the new parcel stands."""
    parcel = getattr(request, "reship", None)
    if request.status != "approved" or parcel is None:
        return request.get_status_display()
    if parcel.status in ("dispatched", "delivered"):
        return _("Approved: sent again")
    if parcel.status == "cancelled":
        return _("Approved, but the new parcel was cancelled")
    return _("Approved: %(state)s") % {"state": parcel.get_status_display()}


@register.filter
def running_late(parcel) -> bool:
    """At the warehouse and past its promised dispatch: the customer is told, not left guessing."""
    return parcel.status == "sent" and parcel.due_at is not None and parcel.due_at < timezone.now()


@register.filter
def in_language(text: str) -> str:
    """A text written in both languages ("中文 / English", as plans' scopes of use are written for
    the agreement) shows the reader's half only; any other text shows as typed."""
    return text_in_reader_language(text)
