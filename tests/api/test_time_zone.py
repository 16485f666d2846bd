"""One rule for times: the API answers every instant at the shop's offset (+08:00, Asia/Shanghai),
the texts of the sandbox and the numbers derived from a day included (webhook payloads:
tests/api/test_webhooks.py)."""
from datetime import UTC, datetime

import time_machine
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.messaging.sms import sandbox_inbox_record
from pawpact.storefront.models import Order
from tests.conftest import host_of

# 20:04 UTC on 28 November is 04:04 on the 29th in the shop.
LATE_UTC = datetime(2026, 11, 28, 20, 4, tzinfo=UTC)


def test_a_sandbox_texts_time_is_at_the_shops_offset(shop, other_shop, shop_staff):
    with time_machine.travel(LATE_UTC, tick=False), schema_context(shop.schema_name):
        sandbox_inbox_record(phone="13800138417", text="Your code is 123456", provider_ref="sandbox-1")
    staff = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    [text] = staff.get("/api/v1/sandbox/sms", {"phone": "13800138417"}).json()["results"]
    assert text["sent_at"] == "2026-11-29T04:04:00+08:00"
    with schema_context(other_shop.schema_name):
        from pawpact.messaging.sms import sandbox_inbox

        assert sandbox_inbox(phone="13800138417") == []


def test_an_order_number_carries_the_shops_day():
    assert Order(pk=7, created_at=LATE_UTC).number == "SO26112900007"
    assert Order(pk=8, created_at=datetime(2026, 11, 28, 15, 59, tzinfo=UTC)).number == "SO26112800008"
