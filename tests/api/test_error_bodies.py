"""Every refusal body is written the same way, whichever layer answers it (a view, the query
check, the version check, an unknown host): compact JSON in UTF-8, Chinese as characters, not
`\\u` escapes. A body with an unknown member still reports every other field's problem."""
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.customers.models import Pet
from tests.api.test_billing_api import api, error


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _compact_utf8(response, code: str) -> dict:
    raw = response.content.decode("utf-8")
    body = json.loads(raw)
    assert body["code"] == code and response["Content-Type"].startswith("application/json")
    assert raw == json.dumps(body, ensure_ascii=False, separators=(",", ":")), raw
    return body


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/api/v1/plans?colour=red", {}, 400, "unknown_parameter"),
        ("/api/v1/plans?shop=beta", {}, 400, "shop_from_host"),
        ("/api/v1/plans", {"HTTP_PAWPACT_VERSION": "2020-01-01"}, 400, "api_version_invalid"),
        ("/api/v1/no-such-thing", {}, 404, "not_found"),
    ],
)
def test_early_refusals_are_compact_utf8_in_both_languages(shop, path, headers, status, code):
    for language in ("en", "zh-hans"):
        response = api(shop).get(path, HTTP_ACCEPT_LANGUAGE=language, **headers)
        assert response.status_code == status
        body = _compact_utf8(response, code)
        if language == "zh-hans":
            assert any("\u4e00" <= char <= "\u9fff" for char in body["message"]), body


def test_a_host_that_is_no_shop_answers_the_api_404_the_same_way(db):
    response = Client(HTTP_HOST="nowhere.localhost").get("/api/v1/plans", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    body = _compact_utf8(response, "not_found")
    assert any("\u4e00" <= char <= "\u9fff" for char in body["message"])


def test_an_unknown_member_does_not_hide_the_other_field_errors(shop, shop_staff):
    staff = api(shop, shop_staff.api_token)
    with schema_context(shop.schema_name):
        before = Pet.objects.count()
    body = error(staff.post("/api/v1/pets", {"name": "", "species": "dragon", "colour": 1}, format="json"), 400)
    assert body["code"] == "invalid"
    assert body["fields"]["colour"] == ["Unknown field."]
    assert set(body["fields"]) == {"colour", "name", "species"}
    # A member of the wrong type keeps its own message, not "required".
    typed = error(staff.post("/api/v1/pets", {"name": 5, "species": "dragon", "colour": 1}, format="json"), 400)
    assert typed["fields"]["name"] == ["Expected a string."] and set(typed["fields"]) == {"colour", "name", "species"}
    with schema_context(shop.schema_name):
        assert Pet.objects.count() == before
