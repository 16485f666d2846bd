"""At most one `SET search_path` per request (ShopHostMiddleware): the host lookup runs on
whatever path the connection holds (every shop's path reaches the public tables), and a
connection already on the shop's path keeps it; switching shops still switches the path."""
import pytest
from django.core.signals import request_finished
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.customers.models import Customer
from tests.conftest import _back_to_public, host_of

READS = ["/api/v1/me", "/api/v1/plans", "/api/v1/customers", "/api/v1/pets", "/api/v1/contracts",
         "/api/v1/webhook-endpoints", "/api/v1/test-clocks"]  # fmt: skip


def _sets(send) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        answer = send()
    return [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("SET SEARCH_PATH")], answer


@pytest.fixture
def staff(shop, shop_staff):
    return APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)


def test_reads_and_writes_issue_at_most_one_set(staff):
    staff.get("/api/v1/health")
    for path in READS:
        sets, answer = _sets(lambda path=path: staff.get(path))
        assert answer.status_code == 200, (path, answer.content)
        assert len(sets) <= 1, (path, sets)
    sets, answer = _sets(lambda: staff.post("/api/v1/customers", {"name": "Li Na", "phone": "13800138417",
                                                                "birth_date": "1990-01-01"}, format="json"))  # fmt: skip
    assert answer.status_code == 201 and len(sets) <= 1, sets


def test_a_connection_on_the_shop_keeps_its_path(staff):
    # The tests send every connection back to the public schema after a request; a deployed
    # worker's persistent connection stays where the last request left it.
    request_finished.disconnect(dispatch_uid="tests.back_to_public")
    try:
        staff.get("/api/v1/plans")
        sets, answer = _sets(lambda: staff.get("/api/v1/plans"))
    finally:
        request_finished.connect(_back_to_public, dispatch_uid="tests.back_to_public")
    assert answer.status_code == 200 and sets == []


def test_switching_shops_switches_the_path_and_an_unknown_host_gets_no_shop(shop, other_shop, staff):
    with schema_context(other_shop.schema_name):
        Customer.objects.create(name="Beta only", phone="13900000009", birth_date="1990-01-01")
    staff.get("/api/v1/customers")
    other = APIClient(HTTP_HOST=host_of(other_shop), HTTP_AUTHORIZATION="Token " + "x" * 40)
    sets, answer = _sets(lambda: other.get("/api/v1/customers"))
    assert answer.status_code == 401 and sets == [f'SET search_path = "{other_shop.schema_name}","public"']
    sets, answer = _sets(lambda: staff.get("/api/v1/customers"))
    assert answer.status_code == 200 and sets == [f'SET search_path = "{shop.schema_name}","public"']
    assert "Beta only" not in answer.content.decode()
    stranger = APIClient(HTTP_HOST="nobody.example.org")
    answer = stranger.get("/api/v1/customers")
    assert answer.status_code in (400, 404) and connection.schema_name == "public"
