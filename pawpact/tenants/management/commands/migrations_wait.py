import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pawpact.tenants.fleet import schema_plan_length


class Command(BaseCommand):
    help = (
        "Wait until the public schema and the shop template have every migration of this code "
        "(the release step ran); exits non-zero after --timeout seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=600.0)
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, **options):
        deadline = time.monotonic() + options["timeout"]
        while True:
            pending = pending_migrations()
            if not pending:
                self.stdout.write("Migrations are current.")
                return
            if time.monotonic() >= deadline:
                raise CommandError(f"Migrations still pending after {options['timeout']:.0f} s: {pending}")
            time.sleep(options["interval"])


def pending_migrations() -> dict[str, int]:
    try:
        counts = {
            "public": schema_plan_length("public", shared=True),
            settings.PAWPACT_TEMPLATE_SCHEMA: schema_plan_length(settings.PAWPACT_TEMPLATE_SCHEMA),
        }
    except Exception as error:  # noqa: BLE001 - a database not up yet is one more reason to wait
        return {"database": str(error)[:200]}
    return {schema: n for schema, n in counts.items() if n}
