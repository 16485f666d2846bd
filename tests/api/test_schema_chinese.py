"""Both API schemas in Chinese for mini-program developers (`?lang=zh-hans`), English by
default and unchanged by it; an unknown `lang` is refused (400 `invalid`), never guessed."""
import re
from pathlib import Path

from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from tests.conftest import SHOP_PASSWORD

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CODE_SPAN = re.compile(r"`[^`]*`")
# A list item or table row is a text of its own: one translated row must not hide an English one.
ROW = re.compile(r"^\s*(?:[*-] |\|)")
FENCE = re.compile(r"```.*?```", re.DOTALL)
# Texts that are code only: nothing in them to translate.
PURE_CODE = frozenset({"`sk_…`", "Token", "Bearer"})
# An enum whose values have no labels of their own lists each value as its own label.
VALUE_AS_LABEL = re.compile(r"^\* `([^`]*)` - \1$")
TEXT_KEYS = frozenset({"title", "description", "summary"})
# Chinese names the English texts keep: the providers' own names for their debit agreements.
PRODUCT_NAMES = re.compile("周期扣款|委托代扣")


def _texts(node, path=""):
    """(where, text) of every human text: titles, descriptions and summaries at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}/{key}"
            if key in TEXT_KEYS and isinstance(value, str):
                yield where, value
            elif key not in {"enum", "example", "examples", "default", "pattern"} or isinstance(value, (dict, list)):
                yield from _texts(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{path}/{index}")


def _english_only(text: str) -> bool:
    words = "\n".join(line for line in text.splitlines() if not VALUE_AS_LABEL.match(line))
    return text.strip() not in PURE_CODE and bool(LATIN_WORD.search(words)) and not CJK.search(text)


def untranslated(schema: dict) -> list[str]:
    """Where a text (or one of its rows) has English words and no Chinese character."""
    found = []
    for where, text in _texts(schema):
        if _english_only(text):
            found.append(f"{where}: {text[:90]!r}")
            continue
        for line in FENCE.sub("", text).splitlines():
            if ROW.match(line) and not VALUE_AS_LABEL.match(line) and _english_only(CODE_SPAN.sub("", line)):
                found.append(f"{where}: {line.strip()[:90]!r}")
    return found


def _platform_client() -> APIClient:
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    client = APIClient(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin).key}")
    return client


def test_every_text_of_the_shop_schema_is_in_chinese(api_client):
    schema = api_client.get("/api/v1/schema.json", {"lang": "zh-hans"}).json()
    assert schema["info"]["title"] == "Pawpact 门店 API"
    assert untranslated(schema) == []


def test_every_text_of_the_platform_schema_is_in_chinese(db):
    schema = _platform_client().get("/api/v1/platform/schema.json", {"lang": "zh-hans"}).json()
    assert schema["info"]["title"] == "Pawpact 平台 API"
    assert untranslated(schema) == []


def test_the_english_schemas_hold_no_chinese(api_client, db):
    shop = api_client.get("/api/v1/schema.json")
    platform = _platform_client().get("/api/v1/platform/schema.json", {"lang": "en"})
    assert (shop.status_code, platform.status_code) == (200, 200)
    for schema in (shop.json(), platform.json()):
        assert [where for where, text in _texts(schema) if CJK.search(PRODUCT_NAMES.sub("", text))] == []
    assert shop.json()["info"]["title"] == "Pawpact shop API"
    assert api_client.get("/api/v1/schema.json", {"lang": "en"}).json() == shop.json()


def test_both_languages_are_served_and_an_unknown_one_is_refused(api_client):
    for url in ("/api/v1/schema.json", "/api/v1/schema"):
        assert api_client.get(url, {"lang": "zh-hans"}).status_code == 200
        assert api_client.get(url, {"lang": "en"}).status_code == 200
        refused = api_client.get(url, {"lang": "fr"})
        assert refused.status_code == 400
        assert (refused.json()["code"], list(refused.json()["fields"])) == ("invalid", ["lang"])


def test_the_docs_page_offers_both_languages(api_client):
    english = api_client.get("/api/v1/docs").content.decode()
    assert 'href="?lang=zh-hans"' in english
    chinese = api_client.get("/api/v1/docs", {"lang": "zh-hans"})
    assert chinese.status_code == 200
    script = api_client.get("/api/v1/docs", {"lang": "zh-hans", "script": ""}).content.decode()
    assert "schema.json?lang\\u003Dzh\\u002Dhans" in script  # escapejs


def test_the_walk_catches_an_english_row_beside_chinese_ones():
    schema = {"components": {"schemas": {"Status": {"description": "* `a` - 生效中\n* `b` - Ended\n* `c` - c"}}},
              "info": {"description": "说明\n\n```\ncurl -H 'Token abc'\n```"}}  # fmt: skip
    assert untranslated(schema) == ["/components/schemas/Status/description: '* `b` - Ended'"]


def test_the_chinese_description_keeps_every_code_of_the_english_one():
    """pawpact/api/description.md and its translation name the same paths, headers, codes and values."""
    folder = Path(__file__).resolve().parents[2] / "pawpact" / "api"
    english, chinese = ((folder / name).read_text() for name in ("description.md", "description.zh-hans.md"))
    assert sorted(CODE_SPAN.findall(chinese)) == sorted(CODE_SPAN.findall(english))
    assert chinese.count("{catalogue}") == english.count("{catalogue}") == 1
