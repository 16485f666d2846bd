"""A shop behind a failed migration: what its visitors and API clients are told."""
import pytest
from django.test import Client
from django.utils import timezone


@pytest.fixture
def down(shop):
    shop.migration_error = "relation already exists"
    shop.migration_failed_at = timezone.now()
    shop.save(update_fields=["migration_error", "migration_failed_at"])
    return shop


def _client(shop, **extra) -> Client:
    return Client(HTTP_HOST=shop.get_primary_domain().domain, **extra)


def test_the_page_says_the_shop_is_being_updated_and_when_to_retry(db, down):
    page = _client(down, HTTP_ACCEPT_LANGUAGE="en").get("/")

    assert page.status_code == 503 and page["Retry-After"] == "300"
    text = page.content.decode()
    assert "This shop is being updated" in text and "Please try again later." in text
    assert "minutes" not in text


def test_the_page_speaks_chinese_when_the_visitor_chose_it(db, down):
    client = _client(down)
    client.cookies["django_language"] = "zh-hans"

    text = client.get("/").content.decode()

    assert "本门店正在更新" in text and "分钟" not in text


def test_the_language_switch_works_on_the_maintenance_page(db, down):
    client = _client(down, HTTP_ACCEPT_LANGUAGE="zh-hans")

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert switched.status_code == 302 and switched.cookies["django_language"].value == "en"
    page = client.get("/")
    assert page.status_code == 503 and "This shop is being updated" in page.content.decode()


@pytest.mark.parametrize(
    ("accept", "message"),
    [
        ("", "This shop is being updated; please try again later."),
        ("en", "This shop is being updated; please try again later."),
        ("zh-hans", "本门店正在更新，请稍后再试。"),
    ],
)
def test_the_api_answers_in_the_requests_language(db, down, accept, message):
    answer = _client(down, HTTP_ACCEPT_LANGUAGE=accept).get("/api/v1/plans/")

    assert answer.status_code == 503 and answer["Retry-After"] == "300"
    assert answer.json() == {"code": "shop_maintenance", "message": message, "fields": {}}


def test_another_shop_is_not_affected(db, down, other_shop):
    assert _client(other_shop).get("/api/v1/plans/").status_code != 503
