"""Carriers as the reader knows them: warehouses report the carrier's English name, a Chinese
page shows the carrier's Chinese one (顺丰速运, 京东物流…); an unknown carrier shows as reported."""
from django import template
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
