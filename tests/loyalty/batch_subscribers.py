"""Subscribers for the batch delivery test (tests/loyalty/test_shop_events.py)."""

from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer

calls: list[int] = []


def tag_all_or_fail(*, payloads: list[dict], clock) -> None:
    """Tags every payload's customer, then refuses the batch if one of them is named "Refused"."""
    calls.append(len(payloads))
    uuids = [payload["customer_uuid"] for payload in payloads]
    refused = Customer.objects.filter(uuid__in=uuids, name__startswith="Refused").exists()
    Customer.objects.filter(uuid__in=uuids).update(name="tagged")
    if refused:
        raise ValidationFailed("refused")
