"""The work of one checkout through the API, counted: the statements it sends to PostgreSQL
(the benchmark's figure; savepoints left out, since in a test every atomic block is one and in
production the outer ones are plain BEGIN/COMMIT). A change that adds a round trip per line,
or reads the shop or the customer again, fails here before it slows every buyer."""
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from pawpact.storefront.models import Order, OrderLine
from pawpact.warehouses.models import StockReservation
from tests.storefront.test_shop_api import ADDRESS, FOOD, LITTER, _buyer, _checkout, products  # noqa: F401

# 47 before the checkout was trimmed (and one more per extra cart line); 38 before the
# points left the request (they follow the commit in a task); 32 before the payment and its
# order were locked in one statement and the answer stopped reading the paid order again; 30
# before the member's tier, paid plan and the shop's member day were read in one statement; 28
# while the answer read the just-paid order's refunds and tracking (there are none yet).
CHECKOUT_QUERIES = 26


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def _counted_checkout(client, method_id, products, lines, key) -> list[str]:  # noqa: F811
    for sku, quantity in lines:
        client.post("/api/v1/shop/cart/lines", {"product_id": products[sku], "quantity": quantity}, format="json")
    with CaptureQueriesContext(connection) as queries:
        answer = _checkout(client, method_id, key=key)
    assert answer.status_code == 201 and answer.json()["status"] == "paid"
    return _statements(queries.captured_queries)


def test_a_checkout_sends_a_fixed_number_of_statements_whatever_its_lines(shop, products):  # noqa: F811
    cache.clear()
    client, _customer, method_id = _buyer(shop, "count@alpha.test", "13800138051")
    client.put("/api/v1/shop/address", ADDRESS, format="json")
    one_line = _counted_checkout(client, method_id, products, [(FOOD, 1)], "count-1")
    two_lines = _counted_checkout(client, method_id, products, [(FOOD, 2), (LITTER, 1)], "count-2")
    assert len(two_lines) <= CHECKOUT_QUERIES, "\n".join(two_lines)
    # The paid order is read once, under its lock (with its payment), and not again for the answer.
    assert sum(sql.startswith('SELECT "storefront_order"."id"') for sql in two_lines) == 1, "\n".join(two_lines)
    assert sum("FOR UPDATE" in sql and "storefront_orderpayment" in sql for sql in two_lines) == 1
    assert len(one_line) == len(two_lines), "\n".join(two_lines)
    assert not any("storefront_orderrefund" in sql or "storefront_trackingevent" in sql for sql in two_lines)
    # The member's rates (tier, paid plan, member day) are read once, in one statement.
    assert sum('"loyalty_' in sql for sql in two_lines) == 1, "\n".join(two_lines)
    # One statement for the shop's linked warehouse with the cart, one reserving every line.
    assert sum("warehouses_warehouselink" in sql for sql in two_lines) == 1
    assert sum("warehouses_stockreservation" in sql or "UPDATE \"warehouses_warehousesku\"" in sql for sql in two_lines) == 1
    with schema_context(shop.schema_name):
        assert Order.objects.count() == 2 and OrderLine.objects.count() == 3
        assert sorted(StockReservation.objects.values_list("quantity", flat=True)) == [1, 1, 2]
