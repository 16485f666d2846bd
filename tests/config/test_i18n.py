"""UI text ships in Simplified Chinese and English, with a switch on every page."""
import re
from pathlib import Path

from django.utils import translation

CATALOG = Path(__file__).resolve().parents[2] / "pawpact" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def _catalog() -> dict[str, str]:
    """msgid → msgstr of the .po file (plural forms: the first), continuation lines joined."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    field = None
    for line in CATALOG.read_text(encoding="utf-8").splitlines() + [""]:
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
        if match:
            field = match.group(1).replace("[0]", "")
            current[field] = match.group(2)
        elif line.startswith('"') and field:
            current[field] += line[1:-1]
        elif not line.strip() and current:
            entries[current.get("msgid", "")] = current.get("msgstr", "")
            current, field = {}, None
    entries.pop("", None)  # the header
    return entries


def test_every_message_of_the_catalog_is_translated():
    catalog = _catalog()
    assert len(catalog) > 50
    assert [msgid for msgid, msgstr in catalog.items() if not msgstr] == []
    assert "#, fuzzy" not in CATALOG.read_text(encoding="utf-8")


def test_pages_follow_the_browsers_language(public_client):
    chinese = public_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _zh("Open your shop") != "Open your shop"
    assert _zh("Open your shop") in chinese and "Open your shop" not in chinese
    assert "Open your shop" in english


def test_the_language_switch_sticks(public_client):
    response = public_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/signup/"})
    assert response.status_code == 302 and response["Location"] == "/signup/"
    page = public_client.get("/signup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _zh("Create my shop") in page


def test_every_page_offers_the_switch(public_client, shop_client):
    for client, path in ((public_client, "/"), (public_client, "/signup/"), (public_client, "/accounts/login/"),
                         (shop_client, "/")):  # fmt: skip
        assert 'action="/i18n/setlang/"' in client.get(path).content.decode(), path
