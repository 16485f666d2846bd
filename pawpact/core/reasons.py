"""A reason kept as a code and its parameters, worded in the viewer's language when shown.

A row records (code, params) when something happens and the sentence is chosen when the page
is shown, so an outcome seen by a Chinese-speaking admin reads in English to an English one.
Each app keeps one table {code: gettext_noop("… %(name)s …")}: the templates stay plain
msgids (makemessages finds them, and they can be checked while the module is imported, before
any translation can be loaded). Every placeholder a template names needs a default, so a row
recorded before a parameter existed still words; a template that names one without a default,
or that cannot be filled, fails the import rather than a page.

A code the table does not know (a row written by a newer release, a provider's new code) is
worded with a general sentence, or with what was recorded as said when there is such a text,
and logged once per process so the table can catch up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext, gettext_noop

logger = logging.getLogger(__name__)
UNKNOWN = gettext_noop("No further detail can be shown.")


class _Names(dict):
    """Records the names a template asks for while it is filled (every value 0: fits %s and %d)."""

    def __missing__(self, key: str) -> int:
        self[key] = 0
        return 0


def placeholders(template: str) -> frozenset[str]:
    """The %(name)s names of a template; ImproperlyConfigured when it is not a named-only template."""
    if "%" in template.replace("%%", "").replace("%(", ""):
        raise ImproperlyConfigured(f"Not a %(name)s template (an unnamed placeholder): {template!r}")
    names = _Names()
    try:
        template % names
    except (TypeError, ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"Not a %(name)s template: {template!r} ({error})") from error
    return frozenset(names)


class Reasons:
    """A table of codes → msgid templates, worded in the active language on demand."""

    def __init__(
        self, templates: Mapping[str, str], *, kind: str, defaults: Mapping[str, object] | None = None,
        unknown: str = UNKNOWN,
    ) -> None:  # fmt: skip
        self.kind = kind
        self._templates = dict(templates)
        self._defaults = dict(defaults or {})
        self._unknown = unknown
        self._names = {code: self._checked(code, template) for code, template in self._templates.items()}
        self._logged: set[str] = set()

    def _checked(self, code: str, template: str) -> frozenset[str]:
        names = placeholders(template)
        lacking = sorted(names - self._defaults.keys())
        if lacking:
            raise ImproperlyConfigured(f"{self.kind} {code!r}: no default for {', '.join(lacking)}")
        try:
            template % self._defaults
        except (TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"{self.kind} {code!r}: the defaults do not fill {template!r}") from error
        return names

    def __contains__(self, code: object) -> bool:
        return code in self._templates

    def text(self, code: str, params: Mapping | None = None, *, said: str = "") -> str:
        """The reason worded in the active language. An unknown code gives `said` (what was
        recorded as said at the time) or the table's general sentence, and is logged."""
        template = self._templates.get(code)
        if template is None:
            self._unknown_log(code)
            return said or gettext(self._unknown)
        params = params or {}
        values = {name: params.get(name, self._defaults[name]) for name in self._names[code]}
        return gettext(template) % values

    def _unknown_log(self, code: object) -> None:
        if code and code not in self._logged:
            self._logged.add(code)
            logger.warning("No wording for %s %r: shown with a general sentence", self.kind, code)
