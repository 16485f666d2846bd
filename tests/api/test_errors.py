"""Validation errors reach the client as plain JSON, however deep the bad input sits."""
from django_tenants.utils import schema_context
from rest_framework import serializers

from pawpact.api.errors import exception_handler
from pawpact.billing.models import PlanVersion

NOT_A_DICT = "Invalid data. Expected a dictionary, but got str."


def test_a_nested_error_from_a_real_endpoint_is_plain_json(api_client, shop, shop_staff):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    body = {"entitlements": ["food", {"kind": "food", "item": "Kibble", "quantity": 0, "unit": "g"}, 7]}

    [plan] = api_client.get("/api/v1/plans?code=basic").json()["results"]
    response = api_client.post(f"/api/v1/plans/{plan['id']}/versions", body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are invalid.",
        "fields": {
            "entitlements.0": [NOT_A_DICT],
            "entitlements.1.quantity": ["Ensure this value is greater than or equal to 1."],
            "entitlements.2": ["Invalid data. Expected a dictionary, but got int."],
        },
    }
    with schema_context(shop.schema_name):
        assert PlanVersion.objects.filter(plan__code="basic").count() == 1


class _Line(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField(min_value=1)

    def validate(self, attrs):
        if attrs["sku"] == "gone":
            raise serializers.ValidationError("This item is no longer sold.")
        return attrs


class _Address(serializers.Serializer):
    city = serializers.CharField()


class _Order(serializers.Serializer):
    address = _Address()
    lines = _Line(many=True, allow_empty=False)
    tags = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    limits = serializers.DictField(child=serializers.IntegerField())

    def validate(self, attrs):
        raise serializers.ValidationError("Orders are closed.")


def _fields(serializer: serializers.BaseSerializer) -> dict:
    assert not serializer.is_valid()
    response = exception_handler(serializers.ValidationError(serializer.errors), {})
    assert response.status_code == 400 and response.data["code"] == "invalid"
    return response.data["fields"]


def test_every_kind_of_nesting_gets_a_dotted_path():
    order = _Order(data={
        "address": {"city": ""},
        "lines": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": 0}, {"sku": "gone", "quantity": 2}],
        "tags": [[1], [2, "x"]],
        "limits": {"daily": "lots"},
    })  # fmt: skip
    assert _fields(order) == {
        "address.city": ["This field may not be blank."],
        "lines.1.quantity": ["Ensure this value is greater than or equal to 1."],
        "lines.2": ["This item is no longer sold."],
        "tags.1.1": ["A valid integer is required."],
        "limits.daily": ["A valid integer is required."],
    }


def test_a_problem_with_a_whole_list_or_object_sits_at_its_path():
    order = _Order(data={"address": "Beijing", "lines": [], "tags": [], "limits": {}})
    assert _fields(order) == {
        "address": ["Invalid data. Expected a dictionary, but got str."],
        "lines": ["This list may not be empty."],
    }


def test_a_problem_with_the_whole_body_is_a_non_field_error():
    order = _Order(data={"address": {"city": "Beijing"}, "lines": [{"sku": "a", "quantity": 1}], "tags": [],
                         "limits": {}})  # fmt: skip
    assert _fields(order) == {"non_field_errors": ["Orders are closed."]}
    assert _fields(_Line(data=[{"sku": "a", "quantity": 1}, {"sku": "b"}], many=True)) == {
        "1.quantity": ["This field is required."],
    }


def test_an_address_with_a_newline_still_answers_the_json_404(api_client):
    response = api_client.get("/api/v1/contracts/a%0Ab/termination/evidence")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["code"] == "not_found"
