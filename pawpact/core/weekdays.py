"""Abbreviated weekday names, listed so that the catalog carries them.

The date filter's "D" (Tue) takes Django's own Chinese, 星期二, while the full names (Tuesday)
come from this project's catalog as 周二; listing the short names here gives both the
same word on every page.
"""
from django.utils.translation import gettext_noop

SHORT_WEEKDAYS = [gettext_noop("Mon"), gettext_noop("Tue"), gettext_noop("Wed"), gettext_noop("Thu"),
                  gettext_noop("Fri"), gettext_noop("Sat"), gettext_noop("Sun")]  # fmt: skip
