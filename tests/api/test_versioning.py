"""Dated versions: the header chooses, a token keeps the version it signed in with, an unknown
one is refused, and no response shape of the latest recorded version breaks silently.

When a breaking change is intended: add a date to pawpact.api.versioning.VERSIONS, an
entry to docs/api-changelog.md, then record the new shapes with
`.venv/bin/python -c "import tests.api.test_versioning as t; t.record()"` (DJANGO_SETTINGS_MODULE set)."""
import json
from pathlib import Path

from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice
from pawpact.api.versioning import LATEST, VERSIONS, breaking_changes, response_shapes
from tests.conftest import SHOP_PASSWORD, host_of

ROOT = Path(__file__).resolve().parents[2]


def test_answers_name_their_version(api_client, shop_staff):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    assert api_client.get("/api/v1/me")["Pawpact-Version"] == LATEST
    assert api_client.get("/api/v1/me", HTTP_PAWPACT_VERSION=VERSIONS[0])["Pawpact-Version"] == VERSIONS[0]


def test_an_unknown_version_is_refused_and_nothing_is_written(api_client, shop, shop_staff):
    cache.clear()
    with schema_context(shop.schema_name):
        before = ApiDevice.objects.count()
    body = {"email": shop_staff.email, "password": SHOP_PASSWORD}
    refused = api_client.post("/api/v1/auth/token", body, format="json", HTTP_PAWPACT_VERSION="2020-01-01")
    assert (refused.status_code, refused.json()["code"]) == (400, "api_version_invalid")
    assert list(refused.json()["fields"]) == ["Pawpact-Version"]
    with schema_context(shop.schema_name):
        assert ApiDevice.objects.count() == before


def test_a_device_is_pinned_to_the_version_it_signed_in_with(shop, shop_staff):
    cache.clear()
    client = APIClient(HTTP_HOST=host_of(shop))
    body = {"email": shop_staff.email, "password": SHOP_PASSWORD}
    token = client.post("/api/v1/auth/token", body, format="json", HTTP_PAWPACT_VERSION=VERSIONS[0]).json()["token"]
    with schema_context(shop.schema_name):
        assert ApiDevice.objects.get(api_version=VERSIONS[0]).user_id == shop_staff.pk
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    assert client.get("/api/v1/me")["Pawpact-Version"] == VERSIONS[0]


def test_the_schema_documents_the_header(api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/me"]["get"]["parameters"]}
    assert parameters["Pawpact-Version"]["schema"]["enum"] == list(VERSIONS)


def test_no_response_shape_of_the_latest_version_breaks(api_client):
    recorded = json.loads((ROOT / "docs" / "api-versions" / f"{LATEST}.json").read_text())
    current = response_shapes(api_client.get("/api/v1/schema.json").json())
    assert breaking_changes(recorded, current) == [], "a breaking change needs a new dated version (see docstring)"
    assert f"## {LATEST}" in (ROOT / "docs" / "api-changelog.md").read_text()


def test_the_check_sees_a_removed_or_retyped_field():
    recorded = {"Pet": {"name": {"type": "string", "nullable": False}, "kind": {"type": "string", "nullable": False,
                                                                               "enum": ["cat"]}}}  # fmt: skip
    retyped = {"Pet": {"name": {"type": "integer", "nullable": False}, "kind": {"type": "string", "nullable": False,
                                                                               "enum": ["cat", "dog"]}}}  # fmt: skip
    assert breaking_changes(recorded, retyped) == [
        "Pet.name: {'type': 'string', 'nullable': False} -> {'type': 'integer', 'nullable': False}"
    ]
    assert breaking_changes(recorded, {"Pet": {}}) == ["Pet.name removed", "Pet.kind removed"]


def record() -> None:
    """Write the current response shapes as the latest version's."""
    import django
    from drf_spectacular.generators import SchemaGenerator

    django.setup()
    from django.utils import translation

    with translation.override("en"):  # as the API answers by default
        schema = SchemaGenerator(urlconf="pawpact.config.urls_tenant").get_schema(request=None, public=True)
    shapes = response_shapes(json.loads(json.dumps(schema, default=str)))
    (ROOT / "docs" / "api-versions" / f"{LATEST}.json").write_text(json.dumps(shapes, indent=1, sort_keys=True) + "\n")


def test_clients_of_2026_12_01_keep_bare_arrays_and_numbered_quotes(api_client, shop_staff):
    from pawpact.api.version_shapes import to_2026_12_01

    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    latest = api_client.get("/api/v1/auth/devices").json()
    assert (latest["object"], [d["object"] for d in latest["results"]]) == ("list", ["device"])
    old = api_client.get("/api/v1/auth/devices", HTTP_PAWPACT_VERSION="2026-12-01")
    assert old["Pawpact-Version"] == "2026-12-01"
    assert old.json() == latest["results"]
    # Quote 1 as the public schema spells it (the schema in force here, after the requests).
    quote = {"object": "termination_quote", "id": "quote_TbDeJSr8pK", "kind": "early"}
    termination = {"object": "termination", "quote_id": "quote_TbDeJSr8pK"}
    assert to_2026_12_01(quote, one_page=False) == {**quote, "id": 1}
    assert to_2026_12_01({"object": "list", "results": [termination]}, one_page=True) == [{**termination, "quote_id": 1}]
