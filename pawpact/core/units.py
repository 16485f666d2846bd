"""Units the product knows, named in the reader's language ("bag" → "袋"): a plan's entitlements
and a warehouse's products share them. A unit the product does not know shows as typed."""
from django.utils.translation import pgettext_lazy

UNITS = {
    "g": pgettext_lazy("unit", "g"),
    "kg": pgettext_lazy("unit", "kg"),
    "bag": pgettext_lazy("unit", "bag"),
    "pack": pgettext_lazy("unit", "pack"),
    "box": pgettext_lazy("unit", "box"),
    "can": pgettext_lazy("unit", "can"),
    "piece": pgettext_lazy("unit", "piece"),
    "dose": pgettext_lazy("unit", "dose"),
    "visit": pgettext_lazy("unit", "visit"),
    "session": pgettext_lazy("unit", "session"),
    "consultation": pgettext_lazy("unit", "consultation"),
}


def unit_in_reader_language(unit: str) -> str:
    unit = (unit or "").strip()
    known = UNITS.get(unit.lower())
    return str(known) if known is not None else unit
