"""One task per ready shop: how every per-shop periodic job starts.

A public dispatcher calls `fan_out_to_ready_shops` for work inside each shop's schema
(each task is sent from inside it, so tenant-schemas-celery runs it there), or
`fan_out_shop_ids` for platform work on public tables that takes the shop's id. A
task that no worker starts within `expires` seconds is dropped: the next tick sends
another.
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


def fan_out_shop_ids(task, *args, expires: int) -> int:
    """Send `task(shop_id, *args)` once per ready shop, from the public schema."""
    shop_ids = list(shop_ready_list().values_list("id", flat=True))
    for shop_id in shop_ids:
        task.apply_async(args=(shop_id, *args), expires=expires)
    return len(shop_ids)
