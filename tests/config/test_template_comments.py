"""Django's `{# … #}` comment ends at the line's end: one spread over several lines is
printed to the page as text (a customer once read the signing page's notes to its
authors). Longer notes use `{% comment %}`."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "pawpact"


def unclosed_comments(text: str) -> list[int]:
    """Line numbers where a `{#` comment is not closed on the same line."""
    return [number for number, line in enumerate(text.splitlines(), 1) if "{#" in line and "#}" not in line[line.index("{#"):]]


def test_no_template_spreads_a_short_comment_over_lines():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.html") if "templates" in path.parts
        for number in unclosed_comments(path.read_text())
    ]  # fmt: skip
    assert offenders == []


def test_the_scanner_catches_what_it_is_meant_to():
    assert unclosed_comments("<p>\n{# a note\n   more #}\n") == [2]
    assert unclosed_comments("{# one line #}\n{% comment %}long\nnote{% endcomment %}") == []
