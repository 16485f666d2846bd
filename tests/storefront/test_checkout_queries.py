"""The work of one checkout through the API, counted: the statements it sends to PostgreSQL
(the benchmark's figure; savepoints left out, since in a test every atomic block is one and in
production the outer ones are plain BEGIN/COMMIT). A change that adds a round trip per line,
or reads the shop or the customer again, fails here before it slows every buyer."""
import os

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.storefront.models import Order, OrderLine
from pawpact.warehouses.models import StockReservation
from tests.storefront.test_shop_api import ADDRESS, FOOD, LITTER, _buyer, _checkout, products  # noqa: F401

CHECKOUT_QUERIES = 47


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def test_a_checkout_of_two_lines_sends_a_fixed_number_of_statements(shop, products):  # noqa: F811
    cache.clear()
    client, _customer, method_id = _buyer(shop, "count@alpha.test", "13800138051")
    client.put("/api/v1/shop/address", ADDRESS, format="json")
    for sku, quantity in ((FOOD, 2), (LITTER, 1)):
        client.post("/api/v1/shop/cart/lines", {"product_id": products[sku], "quantity": quantity}, format="json")
    with CaptureQueriesContext(connection) as queries:
        answer = _checkout(client, method_id, key="count-1")
    assert answer.status_code == 201 and answer.json()["status"] == "paid"
    statements = _statements(queries.captured_queries)
    if os.environ.get("PAWPACT_DUMP_QUERIES"):
        with open(os.environ["PAWPACT_DUMP_QUERIES"], "w") as dump:
            dump.write("\n".join(statements))
    assert len(statements) <= CHECKOUT_QUERIES, "\n".join(statements)
    with schema_context(shop.schema_name):
        assert Order.objects.count() == 1 and OrderLine.objects.count() == 2
        assert sorted(StockReservation.objects.values_list("quantity", flat=True)) == [1, 2]
