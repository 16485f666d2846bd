"""Refusals read as the API's own sentences in the reader's language: no parser internals,
no Python type names, no wait tacked on a throttle's sentence (it is in Retry-After and
`retry_after`), no space between Chinese sentences, and a bad Idempotency-Key says what is
wrong with it. Each refusal writes nothing."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from pawpact.core.text import sentences_join
from pawpact.customers.models import Pet
from tests.conftest import host_of

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
KEY = {"HTTP_IDEMPOTENCY_KEY": "pet-1"}


@pytest.fixture
def staff(shop, shop_staff):
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    return client


def _pets(shop) -> int:
    with schema_context(shop.schema_name):
        return Pet.objects.count()


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "The body is not valid JSON."), (ZH, "请求正文不是有效的 JSON。")],
)
def test_a_body_that_is_not_json_answers_our_sentence(shop, staff, headers, message):
    answer = staff.post("/api/v1/pets", data='{name: "Mochi"}', content_type="application/json", **KEY, **headers)
    assert answer.status_code == 400
    assert answer.json() == {"code": "parse_error", "message": message, "fields": {}}
    assert _pets(shop) == 0


@pytest.mark.parametrize("body", ['"Mochi"', '["Mochi"]', "42"])
def test_a_body_that_is_not_an_object_is_named_so(shop, staff, body):
    answer = staff.post("/api/v1/pets", data=body, content_type="application/json", **KEY, **ZH)
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid",
        "message": "请求正文必须是一个 JSON 对象。",
        "fields": {"non_field_errors": ['请发送一个 JSON 对象，例如 {"name": "Mochi"}。']},
    }
    assert _pets(shop) == 0


def test_a_validate_refusal_at_body_level_keeps_its_own_words(staff):
    # An object body whose fields are wrong is not "not an object".
    answer = staff.post("/api/v1/pets", {"name": "Mochi", "species": "dragon"}, format="json", **KEY)
    assert answer.json()["code"] == "invalid"
    assert "non_field_errors" not in answer.json()["fields"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "Request was throttled."), (ZH, "请求已被限流。")],
)
def test_a_throttled_answer_keeps_the_wait_out_of_its_sentence(shop, monkeypatch, headers, message):
    cache.clear()  # the throttle's count of an earlier case
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "1/min"})
    client = APIClient(HTTP_HOST=host_of(shop))
    body = {"email": "nobody@alpha.test", "password": "wrong"}
    assert client.post("/api/v1/auth/token", body, format="json").status_code == 401
    answer = client.post("/api/v1/auth/token", body, format="json", **headers)
    assert answer.status_code == 429
    wait = int(answer["Retry-After"])
    assert 0 < wait <= 60
    assert answer.json() == {"code": "throttled", "message": message, "fields": {}, "retry_after": wait}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "The Idempotency-Key header is empty."),
        ("k" * 256, "The Idempotency-Key header is 256 characters long; at most 255 are accepted."),
        ("two words", "The Idempotency-Key header holds a space, a control character or a non-ASCII character."),
    ],
)
def test_a_bad_idempotency_key_says_what_is_wrong_with_it(shop, staff, key, message):
    answer = staff.post("/api/v1/pets", {"name": "Mochi", "species": "cat"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "idempotency_key_invalid",
        "message": message,
        "fields": {"Idempotency-Key": ["Use 1–255 visible ASCII characters."]},
    }
    assert _pets(shop) == 0


def test_sentences_join_puts_no_space_after_a_chinese_sentence():
    assert sentences_join(["请稍后重试。", "预计 300 秒后可用。"]) == "请稍后重试。预计 300 秒后可用。"
    assert sentences_join(["Try again later.", "Soon."]) == "Try again later. Soon."
    assert sentences_join(["不收取违约金；", "", " 剩余 ¥10.00 取消。"]) == "不收取违约金；剩余 ¥10.00 取消。"
