"""Text shown to other people must look like what it is.

Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) can make a name
read backwards or hide part of it ("Trojan Source"); zero-width characters (U+200B–U+200D,
U+2060, U+FEFF) make two names that look identical differ, so a customer or a pet can be
impersonated. Names and free text refuse both; ordinary text, Chinese included, is untouched.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
INVISIBLE_MESSAGE = _("Remove the invisible or text-direction characters.")


def has_invisible(value: object) -> bool:
    return isinstance(value, str) and INVISIBLE.search(value) is not None


def refuse_invisible(value: object) -> None:
    """A validator for form and model fields."""
    if has_invisible(value):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible_characters")


# Django's forms end each label with gettext(":"), which its own catalog leaves ASCII for
# Chinese ("邮箱:"); ours carries the full-width colon, and this keeps the msgid in it.
LABEL_SUFFIX = _(":")


# Full-width sentence ends: Chinese sentences follow one another with no space between them.
_WIDE_END = ("。", "！", "？", "；", "：", "）", "」", "』")


def sentences_join(parts) -> str:
    """Sentences as one paragraph: a space after an English sentence, none after a Chinese one
    ("请稍后重试。预计…", never "请稍后重试。 预计…")."""
    text = ""
    for part in (str(part).strip() for part in parts):
        if not part:
            continue
        if text and not text.endswith(_WIDE_END):
            text += " "
        text += part
    return text


def written_in(language: str, chinese: str, english: str) -> str:
    """A message body for a customer: in their chosen language alone, or in both ("中文 / English")
    when they chose none (the shop cannot know which one they read)."""
    if language.startswith("zh"):
        return chinese
    if language == "en":
        return english
    return f"{chinese} / {english}"
