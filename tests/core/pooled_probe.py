"""Run by tests/core/test_pooling_requests.py in a process of its own, configured like a
deployed worker behind pgbouncer: tenant tasks of two shops from interleaved threads.
Prints, per task, the shop it was sent from and the plan names it saw, as JSON lines."""

import json
import sys
import threading

import django

django.setup()

from django.db import connection  # noqa: E402

from pawpact.billing.models import Plan  # noqa: E402
from pawpact.core.tasks import tenant_task  # noqa: E402


@tenant_task("tests.plan_names", ignore_result=False)
def plan_names() -> list[str]:
    return sorted(Plan.objects.values_list("name", flat=True))


def shop_loop(schema: str, rounds: int, out: list) -> None:
    """As a worker receives them: the thread's connection on the public schema, the shop
    named only in the message header that tenant-schemas-celery switches by."""
    try:
        for _ in range(rounds):
            result = plan_names.apply_async(headers={"_schema_name": schema})
            out.append({"sent_from": schema, "saw": result.get(disable_sync_subtasks=False)})
    except Exception as error:  # noqa: BLE001 - reported as a line of its own, failing the test
        out.append({"sent_from": schema, "error": repr(error)})
    finally:
        connection.close()


def main() -> None:
    rounds = int(sys.argv[1])
    seen: list[dict] = []
    threads = [threading.Thread(target=shop_loop, args=(schema, rounds, seen)) for schema in ("shop_alpha", "shop_beta") * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for line in seen:
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
