from django import template

from pawpact.core.money import Money

register = template.Library()


@register.filter
def money(amount_minor: int, currency: str = "CNY") -> str:
    """{{ contract.total_minor|money:contract.currency }} → ¥4,788.00"""
    return Money(int(amount_minor), currency or "CNY").format()


@register.filter
def less(amount_minor: int, other_minor: int) -> int:
    """{{ plan_deposit|less:deposit|money }}: what came off, in fen."""
    return int(amount_minor) - int(other_minor)
