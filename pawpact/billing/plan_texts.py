"""A plan's entitlements as a reader reads them: "Designated food 1,500 g / month", "指定宠粮 1500 克/月".

The stored entry keeps what the shop typed (kind, item, quantity, unit). The item shows in the
reader's language when the shop wrote it in both ("指定宠粮 / Designated food"), as typed when
in one language only (the shop's own word beats a general one), and as the kind's translated
label when it only repeats the kind ("Food", "food"). Units the product knows are translated;
any other shows as typed.
"""
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pawpact.billing.enums import EntitlementKind
from pawpact.core.bilingual import halves, in_reader_language, reader_is_chinese
from pawpact.core.units import unit_in_reader_language

MONTHLY = _("%(item)s %(quantity)s %(unit)s / month")


def kind_label(kind: str) -> str:
    return str(EntitlementKind(kind).label) if kind in EntitlementKind.values else kind


def entitlement_item(entry: dict) -> str:
    kind, item = entry.get("kind", ""), (entry.get("item") or "").strip()
    both = halves(item)
    if both:
        return in_reader_language(*both)
    if _repeats_kind(item, kind):
        return kind_label(kind)
    return item


def _repeats_kind(item: str, kind: str) -> bool:
    with translation.override("en"):
        english = kind_label(kind)
    with translation.override("zh-hans"):
        chinese = kind_label(kind)
    return not item or item.casefold() in {kind.casefold(), english.casefold(), chinese}


def entitlement_text(entry: dict) -> str:
    quantity = entry.get("quantity")
    if isinstance(quantity, int) and not reader_is_chinese():
        quantity = f"{quantity:,}"
    return gettext(MONTHLY) % {
        "item": entitlement_item(entry),
        "quantity": quantity,
        "unit": unit_in_reader_language(entry.get("unit") or ""),
    }
