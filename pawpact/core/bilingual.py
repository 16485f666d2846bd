"""Texts a shop types once, shown to each reader in their own language.

A shop writes its own names (a plan's, an entitlement's item) in Chinese, and may add the
English: in a field of its own (`name_en`), or in the one text as "中文 / English" (how plans'
scopes of use are written for the bilingual agreement). The seed plans' items were written
"指定宠粮 Designated food", so Chinese followed by plain English words is read as two halves
too; English followed by Chinese is not ("Royal Canin 皇家猫粮" is one brand's name, as typed).
A reader never gets an empty text while either language has one.
"""
import re

from django.utils.translation import get_language

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CHINESE_FIRST = re.compile(rf"^([^A-Za-z]*[{_CJK}][^A-Za-z]*?)\s+([A-Za-z][A-Za-z' -]*)$")


def reader_is_chinese() -> bool:
    return (get_language() or "").startswith("zh")


def in_reader_language(chinese: str, english: str) -> str:
    """English for an English reader when there is any, Chinese otherwise; either falls back to
    the other rather than answering empty."""
    if reader_is_chinese():
        return chinese or english
    return english or chinese


def has_chinese(text: str) -> bool:
    return re.search(f"[{_CJK}]", text or "") is not None


def halves(text: str) -> tuple[str, str] | None:
    """(Chinese, English) of a text written in both languages, None for a text in one."""
    text = (text or "").strip()
    chinese, separator, english = text.partition(" / ")
    if separator and has_chinese(chinese) and english.strip() and not has_chinese(english):
        return chinese.strip(), english.strip()
    if match := _CHINESE_FIRST.match(text):
        return match.group(1).strip(), match.group(2).strip()
    return None


def text_in_reader_language(text: str) -> str:
    """The reader's half of a text written in both languages; any other text as typed."""
    both = halves(text)
    return in_reader_language(*both) if both else text
