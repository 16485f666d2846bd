"""One task per ready shop: how every per-shop periodic job starts.

A public dispatcher calls `fan_out_to_ready_shops`; each task is sent from inside the
shop's schema, so tenant-schemas-celery runs it there. A task that no worker starts
within `expires` seconds is dropped: the next tick sends another.
"""
from django_tenants.utils import schema_context

from pawpact.tenants.selectors import shop_ready_list


def fan_out_to_ready_shops(*tasks, expires: int) -> int:
    """Send each of `tasks` once per ready shop; returns how many shops were sent to."""
    schemas = list(shop_ready_list().values_list("schema_name", flat=True))
    for schema_name in schemas:
        with schema_context(schema_name):
            for task in tasks:
                task.apply_async(expires=expires)
    return len(schemas)
