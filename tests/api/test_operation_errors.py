"""Each operation of the served schema lists the error codes it can answer, per status
(`x-error-codes`), every one of them a code of the catalogue with that status; the statuses
every request can meet (406, 415 for a body) are documented and answered in the one shape."""
import pytest

from pawpact.api.catalogue import error_catalogue

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema(api_client):
    return api_client.get("/api/v1/schema.json").json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_lists_its_codes_from_the_catalogue(schema):
    status_of = {entry.code: entry.status for entry in error_catalogue()}
    wrong = []
    for where, operation in _operations(schema):
        responses = operation["responses"]
        assert "not_acceptable" in responses["406"]["x-error-codes"], where
        assert "api_version_invalid" in responses["400"]["x-error-codes"], where
        if "requestBody" in operation:
            assert responses["415"]["x-error-codes"] == ["unsupported_media_type"], where
        for status, response in responses.items():
            for code in response.get("x-error-codes", []):
                if status_of.get(code) != int(status):
                    wrong.append(f"{where}: {status} {code}")
            if status[0] in "45":
                assert response["content"]["application/json"]["schema"] == ERROR_REF, where
                assert response["description"].startswith("Codes: `"), where
    assert wrong == []


def test_an_operation_lists_the_codes_its_services_raise(schema):
    def codes(path, method, status):
        return set(schema["paths"][path][method]["responses"][status]["x-error-codes"])

    activate = "/api/v1/contracts/{uuid}/activate"
    assert {"payment_declined", "idempotency_key_reused"} <= codes(activate, "post", "422")
    assert {"idempotency_key_in_use", "illegal_transition", "payment_pending"} <= codes(activate, "post", "409")
    assert {"payment_declined"} <= codes("/api/v1/stored-value/top-ups", "post", "422")
    assert {"payment_declined"} <= codes("/api/v1/paid-membership", "post", "422")
    assert codes("/api/v1/shop/checkout", "post", "404") == {"not_found"}
    assert codes(activate, "post", "404") == {"not_found"}
    assert "test_clock_live_mode" in codes("/api/v1/test-clocks", "post", "422")
    # Public: a token sent is still checked, but no token is never the problem.
    assert codes("/api/v1/plans", "get", "401") == {
        "authentication_failed", "token_expired", "api_key_invalid", "api_key_wrong_mode"}  # fmt: skip
    assert "permission_denied" in codes("/api/v1/test-clocks", "get", "403")
    assert schema["paths"]["/api/v1/plans/{plan_id}"]["get"]["responses"]["400"]["description"] == (
        "Codes: `api_version_invalid`, `invalid`, `shop_from_host`, `unknown_parameter`."
    )


def test_406_and_415_are_answered_with_their_codes(api_client, shop_staff):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    refused = api_client.get("/api/v1/me", HTTP_ACCEPT="application/xml")
    assert (refused.status_code, refused.json()["code"]) == (406, "not_acceptable")
    wrong_type = api_client.post("/api/v1/test-clocks", data="frozen_time=2026", content_type="text/plain")
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")


def test_no_operation_lists_codes_of_another_area(schema):
    """Every error response names its own codes (the walk of what the operation runs), never a
    status's whole catalogue: POST /pets cannot answer a SaaS invoice's or a cart's codes."""
    catalogue_sizes = {}
    for entry in error_catalogue():
        catalogue_sizes[entry.status] = catalogue_sizes.get(entry.status, 0) + 1
    whole = []
    for where, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            assert "x-error-codes" in response, f"{where} {status}"
            listed = response["x-error-codes"]
            assert listed, f"{where} {status}"
            if len(listed) == catalogue_sizes[int(status)] and len(listed) > 5:
                whole.append(f"{where} {status}")
    assert whole == []
    pets = schema["paths"]["/api/v1/pets"]["post"]["responses"]
    listed = {code for response in pets.values() for code in response.get("x-error-codes", [])}
    assert not listed & {"saas_invoice_not_found", "unknown_payout", "unknown_shop", "cart_empty", "account_exists"}
    assert pets["404"]["x-error-codes"] == ["not_found"]  # the owner named by owner_uuid
    services = schema["paths"]["/api/v1/care/services"]["get"]["responses"]
    assert "409" not in services and "422" not in services


def test_a_refusal_answered_by_a_list_view_is_listed(schema):
    # GET /contracts refuses `metadata=x` in the view's queryset, which DRF's list handler calls.
    contracts = schema["paths"]["/api/v1/contracts"]
    assert "invalid" in contracts["get"]["responses"]["400"]["x-error-codes"]
    created = contracts["post"]["responses"]["404"]["x-error-codes"]
    assert {"unknown_pet", "unknown_customer", "unknown_plan_version"} <= set(created)
