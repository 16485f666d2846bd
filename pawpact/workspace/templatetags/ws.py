from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.plan_texts import entitlement_text, kind_label
from pawpact.core.opaque_ids import EVENT, opaque_id
from pawpact.workspace.enums import Action
from pawpact.workspace.roles import role_allows
from pawpact.workspace.selectors.timeline import message_text

register = template.Library()

_TONES = {
    "active": "ok", "paid": "ok", "current": "ok", "completed": "ok", "verified": "ok", "done": "ok",
    "draft": "info", "signed": "info", "scheduled": "info", "reminded": "info", "open": "warn",
    "grace": "warn", "retrying": "warn", "deferred": "warn", "attempted": "warn", "failed": "bad",
    "overdue": "bad", "default": "bad", "succeeded": "ok", "pending": "warn", "paused": "warn", "defaulted": "bad", "written_off": "bad", "rejected": "bad",
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


register.filter("kind_label", kind_label)


@register.filter
def entitlement(entry: dict) -> str:
    """{"kind": "food", "item": "猫粮", "quantity": 2, "unit": "kg"} → "猫粮 2 千克/月" in Chinese."""
    return entitlement_text(entry)


@register.filter
def reward(entry: dict) -> str:
    """{"consecutive_paid": 6, "kind": "deworming", "quantity": 1} → "6 paid periods in a row → 1 × Deworming"."""
    return _("%(paid)s paid periods in a row → %(quantity)s × %(kind)s") % {
        "paid": entry.get("consecutive_paid"),
        "quantity": entry.get("quantity"),
        "kind": kind_label(entry.get("kind", "")),
    }


@register.filter
def staff_message(message) -> str:
    """A message as staff may read it (a signing code never shows)."""
    return message_text(message)


@register.filter(name="role_allows")
def role_allows_filter(role, action: str) -> bool:
    """Whether the staff member's role may do `action` (an Action value): pages show only what it may open."""
    return role_allows(role, Action(action))


@register.filter
def event_ref(event_pk: int) -> str:
    """An outbox event as its webhook payload names it (`evt_…`), for matching against a log."""
    return opaque_id(EVENT, event_pk)
