"""The error catalogue is built from the error classes and shown in the schema and
docs/api.md; every code has one status; no raise invents a code outside a class; the
API speaks Accept-Language, English by default."""
import ast
from pathlib import Path

from pawpact.api.catalogue import (
    FRAMEWORK_CODES,
    catalogue_markdown,
    domain_error_classes,
    error_catalogue,
    error_statuses,
)

ROOT = Path(__file__).resolve().parents[2]


def test_every_code_has_one_status():
    assert {code: statuses for code, statuses in error_statuses().items() if len(statuses) > 1} == {}


def test_the_catalogue_has_the_api_codes_with_their_statuses():
    entries = {entry.code: entry.status for entry in error_catalogue()}
    expected = {
        "invalid": 400, "idempotency_key_required": 400, "bad_credentials": 401, "not_authenticated": 401,
        "permission_denied": 403, "not_found": 404, "not_signed": 404, "phone_taken": 409,
        "idempotency_key_in_use": 409, "idempotency_key_reused": 422, "customer_required": 422,
        "impossible_date": 422, "password_too_weak": 422, "payment_declined": 422, "payment_pending": 409,
        "throttled": 429,
    }  # fmt: skip
    assert {code: entries.get(code) for code in expected} == expected
    assert all(entry.meaning for entry in error_catalogue())
    assert {entry.code for entry in FRAMEWORK_CODES} <= set(entries)


def test_docs_show_exactly_the_generated_catalogue():
    text = (ROOT / "docs" / "api.md").read_text()
    block = text.split("<!-- catalogue -->\n", 1)[1].split("\n<!-- /catalogue -->", 1)[0]
    assert block == catalogue_markdown(), "regenerate the table in docs/api.md from pawpact.api.catalogue"


def test_no_raise_sets_a_code_outside_an_error_class():
    """`SomeError(..., code="x")` would answer a code the catalogue cannot see."""
    domain_errors = {cls.__name__ for cls in domain_error_classes()} | {"DomainError"}
    offenders = []
    for path in (ROOT / "pawpact").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and any(keyword.arg == "code" for keyword in node.keywords):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in domain_errors:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_schema_lists_codes_per_status_and_the_code_enum(api_client):
    schema = api_client.get("/api/v1/schema.json").json()
    codes = schema["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
    assert codes == sorted(entry.code for entry in error_catalogue())
    responses = schema["paths"]["/api/v1/contracts/{uuid}/activate"]["post"]["responses"]
    assert "`idempotency_key_reused`" in responses["422"]["description"]
    assert responses["404"]["description"] == "Codes: `not_found`."
    pdf = schema["paths"]["/api/v1/contracts/{uuid}/agreement.pdf"]["get"]["responses"]
    assert pdf["404"]["description"] == "Codes: `not_found`, `not_signed`."
    description = schema["info"]["description"]
    assert "tok_insufficient_funds" in description and "| 409 | `phone_taken` |" in description


def test_api_messages_follow_accept_language_and_default_to_english(api_client):
    api_client.cookies["django_language"] = "zh-hans"  # the site's cookie does not steer the API
    english = api_client.get("/api/v1/me").json()
    chinese = api_client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9").json()
    assert english["message"] == "Authentication credentials were not provided."
    assert chinese["code"] == english["code"] == "not_authenticated"
    assert chinese["message"] != english["message"]
    schema = api_client.get("/api/v1/schema.json")
    assert schema["Content-Language"] == "en"
