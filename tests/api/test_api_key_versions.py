"""A secret key is pinned to the API version current when it is made: the key list shows it
(API and Settings › Developers), its calls are answered in it, `Pawpact-Version` still wins
for one request, and rolling keeps it."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiKey
from pawpact.accounts.services import api_token_issue
from pawpact.api.versioning import LATEST, VERSIONS
from pawpact.workspace.enums import Role
from tests.api.test_billing_api import ok
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _client(shop, authorization: str) -> APIClient:
    return APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION=authorization)


def test_a_key_is_pinned_when_made_and_the_header_still_wins(shop):
    owner = staff_user(shop, Role.OWNER)
    with schema_context(shop.schema_name):
        device = _client(shop, f"Token {api_token_issue(user=owner)}")
    made = ok(device.post("/api/v1/api-keys", {"name": "ERP"}, format="json"), 201)
    assert made["api_version"] == LATEST
    with schema_context(shop.schema_name):
        assert ApiKey.objects.get(uuid=made["id"]).api_version == LATEST
        # As if made when the older version was current.
        ApiKey.objects.filter(uuid=made["id"]).update(api_version=VERSIONS[0])
    keyed = _client(shop, f"Bearer {made['secret']}")
    assert keyed.get("/api/v1/me")["Pawpact-Version"] == VERSIONS[0]
    assert keyed.get("/api/v1/me", HTTP_PAWPACT_VERSION=LATEST)["Pawpact-Version"] == LATEST
    [listed] = ok(device.get("/api/v1/api-keys"))["results"]
    assert listed["api_version"] == VERSIONS[0]
    rolled = ok(device.post(f"/api/v1/api-keys/{made['id']}/roll"), 201)
    assert rolled["api_version"] == VERSIONS[0]
    page = client_for(shop, owner).get("/manage/settings/developers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "API 版本" in page and f"<code>{VERSIONS[0]}</code>" in page
