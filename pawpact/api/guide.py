"""The developer guide, served by every shop at /api/v1/guide: docs/api.md as a page, so a
shop's developer reads the same rules the repository keeps (and its tests check) without
having the repository. Rendered once per process with markdown-it-py (CommonMark, tables)."""
from functools import cache
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

GUIDE_SOURCE = Path(settings.BASE_DIR) / "docs" / "api.md"


@cache
def guide_html() -> str:
    # `html` off: the page shows the file's text, never markup the file might hold.
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    return renderer.render(GUIDE_SOURCE.read_text(encoding="utf-8"))


@require_safe
def guide(request):
    """Anonymous, like the schema: the rules are the same for every shop."""
    return render(request, "api/guide.html", {"guide": mark_safe(guide_html())})
