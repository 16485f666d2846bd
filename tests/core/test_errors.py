import pytest

from pawpact.core.errors import (
    BusinessRuleViolation,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
)


@pytest.mark.parametrize(
    ("error_class", "code", "http_status"),
    [
        (DomainError, "error", 400),
        (ValidationFailed, "invalid", 400),
        (NotFound, "not_found", 404),
        (Conflict, "conflict", 409),
        (PermissionDenied, "forbidden", 403),
        (BusinessRuleViolation, "rule_violation", 422),
        (ServiceUnavailable, "unavailable", 503),
    ],
)
def test_codes_and_statuses(error_class, code, http_status):
    error = error_class("Something went wrong.")
    assert isinstance(error, DomainError)
    assert error.code == code
    assert error.http_status == http_status
    assert error.as_dict() == {"code": code, "message": "Something went wrong.", "fields": {}}


def test_message_is_the_exception_text():
    error = NotFound("Contract not found.")
    assert error.message == "Contract not found."
    assert str(error) == "Contract not found."


def test_fields():
    error = ValidationFailed(
        "Check the highlighted fields.",
        fields={"amount_minor": ["Must be positive."], "phone": ("Invalid number.", "Required.")},
    )
    assert error.as_dict() == {
        "code": "invalid",
        "message": "Check the highlighted fields.",
        "fields": {"amount_minor": ["Must be positive."], "phone": ["Invalid number.", "Required."]},
    }


def test_a_single_string_is_one_message():
    error = ValidationFailed("Invalid.", fields={"phone": "Invalid number."})
    assert error.fields == {"phone": ["Invalid number."]}


def test_code_override_applies_to_the_instance_only():
    error = BusinessRuleViolation("Shop overdue rate is above 3%.", code="signing_paused")
    assert error.code == "signing_paused"
    assert error.http_status == 422
    assert error.as_dict()["code"] == "signing_paused"
    assert BusinessRuleViolation.code == "rule_violation"
    assert BusinessRuleViolation("Other.").code == "rule_violation"


def test_fields_are_not_shared_or_aliased():
    given = {"phone": ["Required."]}
    error = ValidationFailed("Invalid.", fields=given)
    given["phone"].append("Changed later.")
    error.as_dict()["fields"]["phone"].append("Changed by a caller.")
    assert error.fields == {"phone": ["Required."]}
    assert ValidationFailed("Other.").fields == {}


def test_fields_and_code_are_keyword_only():
    with pytest.raises(TypeError):
        ValidationFailed("Invalid.", {"phone": ["Required."]})


def test_can_be_raised_and_caught_as_domain_error():
    with pytest.raises(DomainError) as caught:
        raise Conflict("Already signed.")
    assert caught.value.as_dict() == {"code": "conflict", "message": "Already signed.", "fields": {}}
