"""Error pages with DEBUG off (as `./dev run` and production run): a friendly page in the
visitor's language on the public site and on shop hosts, the API's error shape under /api/."""
import json
import re

import pytest
from django.conf import settings
from django.test import Client

from pawpact.api.views import HealthCheckApi
from pawpact.core.links import site_url
from tests.conftest import host_of

NOT_FOUND_PAGE = {
    "en": ("Page not found", "There is no page at this address. It may have moved, or the address may have a typo."),
    "zh-hans": ("页面不存在", "这个网址没有页面。页面可能已经移走，或者网址有误。"),
}
SERVER_ERROR_PAGE = {
    "en": ("Something went wrong", "Sorry, something went wrong on our side. Please try again in a moment."),
    "zh-hans": ("出错了", "抱歉，我们这边出了点问题。请稍后再试。"),
}
HOME_LINK = {"en": ("Back to the home page", "Back to Alpha Pets"), "zh-hans": ("返回首页", "返回 Alpha Pets")}
API_NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}
API_SERVER_ERROR = {
    "code": "server_error",
    "message": "Something went wrong on our side. Please try again later.",
    "fields": {},
}


def _client(host: str) -> Client:
    return Client(HTTP_HOST=host, raise_request_exception=False)


def _page(response) -> dict[str, str]:
    html = response.content.decode()
    return {
        "title": re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip(),
        "brand": re.search(r'<a class="brand" href="/">(.*?)</a>', html, re.S).group(1).strip(),
        "h1": re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip(),
        "text": re.search(r"</h1>\s*<p>(.*?)</p>", html, re.S).group(1).strip(),
        "home": re.search(r'<a class="button" href="[^"]*">(.*?)</a>', html, re.S).group(1).strip(),
        "lang": re.search(r'<html lang="(.*?)">', html).group(1),
        "switch": 'action="/i18n/setlang/"' in html and 'name="csrfmiddlewaretoken"' in html,
    }


def test_debug_is_off_under_the_test_settings_as_under_the_run_command():
    assert settings.DEBUG is False


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("path", ["/no-such-page/", "/console/nope", "/line%0abreak/"])
def test_an_unknown_address_on_the_public_site_is_a_friendly_page(db, language, path):
    response = _client(settings.PAWPACT_BASE_DOMAIN).get(path, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    title, text = NOT_FOUND_PAGE[language]
    assert _page(response) == {
        "title": f"{title} · Pawpact", "brand": "Pawpact", "h1": title, "text": text,
        "home": HOME_LINK[language][0], "lang": language, "switch": True,
    }  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unknown_address_on_a_shop_host_is_a_friendly_page_of_that_shop(shop, language):
    response = _client(host_of(shop)).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    title, text = NOT_FOUND_PAGE[language]
    assert _page(response) == {
        "title": f"{title} · Alpha Pets", "brand": "Alpha Pets", "h1": title, "text": text,
        "home": HOME_LINK[language][1], "lang": language, "switch": True,
    }  # fmt: skip


def test_the_chosen_language_wins_over_the_browsers(shop):
    client = _client(host_of(shop))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/no-such-page/"})

    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert _page(response)["h1"] == "页面不存在"


def test_an_unknown_shop_host_is_the_friendly_page_too(db):
    response = _client(f"nosuch.{settings.PAWPACT_BASE_DOMAIN}").get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert (_page(response)["h1"], _page(response)["brand"]) == ("Page not found", "Pawpact")
    # The way back leads to the public site, not to "/" of a host that does not exist.
    assert f'href="{site_url(settings.PAWPACT_BASE_DOMAIN)}"' in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize(
    "path",
    ["/api", "/api/", "/api/nope", "/api/v1/nope", "/api/v1/nope%0a", "/api/v1/line%0abreak", "/api/v1/%0a",
     "/api/v1/platform/nope", "/api/v1/platform/%0a", "/api/v1/contracts/not-a-uuid%0a/"],
)  # fmt: skip
def test_every_unknown_api_address_answers_the_api_error_shape(shop, method, path):
    for host in (settings.PAWPACT_BASE_DOMAIN, host_of(shop)):
        response = getattr(_client(host), method)(path)

        assert response.status_code == 404, (host, path)
        assert response["Content-Type"] == "application/json", (host, path)
        assert json.loads(response.content) == API_NOT_FOUND, (host, path)


def test_api_errors_speak_the_clients_language(shop):
    response = _client(host_of(shop)).get("/api/v1/line%0abreak", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert json.loads(response.content) == {"code": "not_found", "message": "未找到。", "fields": {}}


@pytest.fixture
def broken_pages(monkeypatch):
    """The home pages of both hosts and the API's health check fail as a bug would."""

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("pawpact.tenants.views.render", broken)
    monkeypatch.setattr(HealthCheckApi, "get", broken)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_server_error_is_a_friendly_page_on_both_hosts(shop, broken_pages, language):
    for host, brand, home in (("localhost", "Pawpact", HOME_LINK[language][0]),
                              (host_of(shop), "Alpha Pets", HOME_LINK[language][1])):  # fmt: skip
        response = _client(host).get("/", HTTP_ACCEPT_LANGUAGE=language)

        assert response.status_code == 500
        title, text = SERVER_ERROR_PAGE[language]
        assert _page(response) == {
            "title": f"{title} · {brand}", "brand": brand, "h1": title, "text": text,
            "home": home, "lang": language, "switch": True,
        }  # fmt: skip
        assert "RuntimeError" not in response.content.decode()


def test_a_server_error_under_the_api_is_the_api_error_shape(shop, broken_pages):
    response = _client(host_of(shop)).get("/api/v1/health")

    assert response.status_code == 500
    assert json.loads(response.content) == API_SERVER_ERROR


def test_static_files_are_served_with_debug_off(shop):
    for host in (settings.PAWPACT_BASE_DOMAIN, host_of(shop)):
        response = _client(host).get("/static/admin/css/base.css")

        assert response.status_code == 200, host
        assert b"".join(response.streaming_content).startswith(b"/*")


def test_a_browser_gets_json_under_api_too(shop_client):
    response = shop_client.get("/api/v1/no-such-thing", HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"code", "message", "fields"}
