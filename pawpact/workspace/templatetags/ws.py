from decimal import Decimal

from django import template
from django.utils.formats import number_format

from pawpact.billing.enums import PeriodStatus

register = template.Library()

_TONES = {
    "active": "ok", "paid": "ok", "current": "ok", "completed": "ok", "verified": "ok", "done": "ok",
    "draft": "info", "signed": "info", "scheduled": "info", "reminded": "info", "open": "warn",
    "grace": "warn", "retrying": "warn", "deferred": "warn", "attempted": "warn", "failed": "bad",
    "overdue": "bad", "default": "bad", "defaulted": "bad", "written_off": "bad", "rejected": "bad",
}  # fmt: skip


@register.filter
def percent(rate) -> str:
    """Decimal("0.100") → "10%", Decimal("0.085") → "8.5%"."""
    value = Decimal(rate) * 100
    text = number_format(value.normalize() if value == value.to_integral() else value.quantize(Decimal("0.1")))
    return f"{text}%"


@register.filter
def tone(status: str) -> str:
    return _TONES.get(status, "neutral")


@register.filter
def period_status(status: str) -> str:
    return str(PeriodStatus(status).label) if status in PeriodStatus.values else status
