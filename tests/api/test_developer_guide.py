"""What a shop's developer gets from the shop itself: the guide page at /api/v1/guide (no
sign-in, any shop), a schema whose description links it and states authentication,
idempotency, versions, webhook signatures and test clocks (in both languages), only the two
auth schemes the API is meant to be called with, and a link from Settings › Developers."""
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from pawpact.api.schema_sections import GUIDE_PATH
from pawpact.workspace.enums import Role
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_every_shop_serves_the_guide_to_anyone(shop, other_shop):
    for host in (host_of(shop), host_of(other_shop)):
        page = APIClient(HTTP_HOST=host).get(GUIDE_PATH)
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
        html = page.content.decode()
        assert "<h2>Getting started (test mode)</h2>" in html
        assert "Pawpact-Signature" in html and "sk_live_" in html and "<table>" in html
        assert 'href="/api/v1/docs"' in html


def test_the_guide_shows_markup_in_the_file_as_text(shop, monkeypatch, tmp_path):
    from pawpact.api import guide

    source = tmp_path / "api.md"
    source.write_text("# Guide\n\n<script>alert(1)</script>\n", encoding="utf-8")
    monkeypatch.setattr(guide, "GUIDE_SOURCE", source)
    guide.guide_html.cache_clear()
    try:
        html = APIClient(HTTP_HOST=host_of(shop)).get(GUIDE_PATH).content.decode()
    finally:
        guide.guide_html.cache_clear()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        ("en", ["## Authentication", "## Idempotency", "## Versions", "## Webhook signatures", "## Test clocks"]),
        ("zh-hans", ["## 身份验证", "## 幂等", "## 版本", "## Webhook 签名", "## 测试时钟"]),
    ],
)
def test_the_schema_description_links_the_guide_and_states_the_rules(api_client, language, headings):
    description = api_client.get("/api/v1/schema.json", HTTP_ACCEPT_LANGUAGE=language).json()["info"]["description"]
    assert description.splitlines()[0].startswith(("Guide: /api/v1/guide", "指南：/api/v1/guide"))
    for heading in headings:
        assert heading in description
    for rule in ("sk_test_", "sk_live_", "POST /api-keys", "Pawpact-Signature: t=", "whsec_", "HMAC-SHA256",
                 "idempotency_key_invalid", "Pawpact-Version", "/test-clocks/{id}/advance"):  # fmt: skip
        assert rule in description, rule
    assert "in the\nrepository" not in description


def test_the_schema_offers_only_the_keys_and_device_tokens(api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    assert set(schema["components"]["securitySchemes"]) == {"secretKey", "deviceToken"}
    used = {name for operations in schema["paths"].values() for operation in operations.values()
            for entry in operation.get("security", []) for name in entry}  # fmt: skip
    assert used == {"secretKey", "deviceToken"}
    assert schema["paths"]["/api/v1/plans"]["get"]["security"][-1] == {}  # anonymous still allowed there


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [("en", "Developer guide"), ("zh-hans", "开发者指南")])
def test_the_developers_page_links_the_guide(shop, language, label):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    html = owner.get("/manage/settings/developers/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'href="http://{host_of(shop)}/api/v1/guide"' in html and label in html
    assert 'class="ws-table ws-stack"' in html  # cards on a phone, not squeezed columns
