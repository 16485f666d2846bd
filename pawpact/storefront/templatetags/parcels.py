"""Carriers as the reader knows them: warehouses report the carrier's English name, a Chinese
page shows the carrier's Chinese one (顺丰速运, 京东物流…); an unknown carrier shows as reported."""
from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
    if not (get_language() or "").startswith("en"):
        return line.name
    sku = getattr(line, "warehouse_sku", None)
    return (sku.name_en if sku is not None else "") or line.name
