"""WeChat's `zh_CN` and the other Chinese tags phones send pick Simplified Chinese, on the
API (English by default) and on pages; other tags keep their meaning."""
import pytest
from rest_framework.test import APIClient

from pawpact.core.languages import accept_language_normalised
from tests.conftest import host_of


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh_CN", "zh-hans"), ("zh-CN", "zh-hans"), ("zh", "zh-hans"), ("zh-Hans-CN", "zh-hans"),
        ("zh_TW", "zh-hans"), ("en_US", "en-US"), ("zh_CN;q=0.9, en;q=0.8", "zh-hans;q=0.9,en;q=0.8"), ("*", "*"),
    ],
)  # fmt: skip
def test_tags_are_read_in_the_standard_form(header, expected):
    assert accept_language_normalised(header) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["zh_CN", "zh-CN", "zh", "zh-Hans-CN", "zh_CN,en;q=0.5"])
def test_the_api_answers_in_chinese(shop, header):
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/customers", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 401
    assert response["Content-Language"] == "zh-hans"
    english = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/customers", HTTP_ACCEPT_LANGUAGE="en_US")
    assert english["Content-Language"] == "en"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["zh_CN", "zh-Hans-CN"])
def test_pages_answer_in_chinese_even_after_english_first(client, shop, header):
    page = client.get("/accounts/login/", HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE=f"{header},en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert client.get("/accounts/login/", HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en_US")["Content-Language"] == "en"
