"""The Content-Security-Policy allows scripts from our own static files only: an inline
<script>, an on…= handler or a javascript: URL in a template is silently blocked in the
browser (a confirmation that never asks, a button that does nothing). None may come back."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "pawpact"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates():
    return [path for path in ROOT.rglob("*.html") if "templates" in path.parts]


def test_templates_have_no_inline_scripts_handlers_or_javascript_urls():
    offenders = []
    for path in _templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
            offenders += [f"{path.relative_to(ROOT)}: {match.group(0)[:60]}" for match in pattern.finditer(text)]
    assert offenders == []


def test_the_scanner_catches_what_it_is_meant_to():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and not INLINE_SCRIPT.search('<script src="/s.js"></script>')
    assert HANDLER.search('<form method="post" onsubmit="return confirm(1)">')
    assert not HANDLER.search('<form data-confirm="Cancel?">') and JS_URL.search('<a href="javascript:void(0)">')
