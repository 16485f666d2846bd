"""Every GET operation the schema documents, called by every kind of caller (no token, a
customer, each staff role), answers without a server error: a caller the operation is not
for gets a 4xx in the error shape, never a 500."""
import uuid
from datetime import date

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.customers.services import customer_create, pet_create
from pawpact.workspace.enums import Role
from pawpact.workspace.models import StaffRole
from tests.conftest import SHOP_PASSWORD, host_of

ROLES = ("anonymous", "customer", "clerk", "manager", "owner")


def _token(shop, who: str) -> tuple[str | None, dict]:
    """The caller's token, and the ids of records of the shop to put in paths."""
    with schema_context(shop.schema_name):
        user = User.objects.create_user("sweep@alpha.test", SHOP_PASSWORD, name="Sweep", is_staff=who != "customer")
        owner = customer_create(
            name="Sweep Customer", phone="13900139001", birth_date=date(1990, 1, 1), user=user if who == "customer" else None
        )
        pet = pet_create(owner=owner, name="Mochi", species="cat")
        if who in ("manager", "owner"):
            StaffRole.objects.create(user=user, role=Role(who))
        token = None if who == "anonymous" else api_token_issue(user=user)
    return token, {"customer_uuid": str(owner.uuid), "pet_uuid": str(pet.uuid)}


def _path(template: str, parameters: list[dict], known: dict) -> str:
    for parameter in parameters:
        if parameter.get("in") != "path":
            continue
        name, schema = parameter["name"], parameter.get("schema", {})
        if name in known:
            value = known[name]
        elif schema.get("format") == "uuid":
            value = str(uuid.uuid4())
        elif schema.get("type") == "integer":
            value = "1"
        else:
            value = (schema.get("enum") or ["x"])[0]
        template = template.replace("{" + name + "}", str(value))
    return template


@pytest.mark.parametrize("who", ROLES)
def test_no_get_answers_a_server_error(shop, who):
    client = APIClient(HTTP_HOST=host_of(shop))
    schema = client.get("/api/v1/schema.json").json()
    token, known = _token(shop, who)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    answers: dict[str, int] = {}
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        path = _path(template, operations["get"].get("parameters", []), known)
        response = client.get(path)
        answers[template] = response.status_code
        if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
            assert set(response.json()) == {"code", "message", "fields"}, (template, response.content)
    assert len(answers) > 70  # the whole API was called, not an empty schema
    server_errors = {path: code for path, code in answers.items() if code >= 500}
    assert server_errors == {}
