import signal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name
from tqdm import tqdm

from pawpact.core.cache import database_cache_tables_create
from pawpact.tenants.fleet import FleetInterrupted, default_workers, fleet_migrate
from pawpact.tenants.models import Domain, Shop
from pawpact.tenants.template import spare_schemas_discard_stale, spare_schemas_fill, template_ensure, template_schema


class Command(BaseCommand):
    help = (
        "Migrate the public schema, the shop template (and its stored copy) and every shop behind "
        "the template, in parallel workers. Shops already at the template's state are skipped, so a "
        "killed run is resumed by running it again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=default_workers(), help="worker processes for the shops")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        _ensure_public_site()
        database_cache_tables_create()
        if template_ensure(verbosity=verbosity):
            self.stdout.write("Shop template stored for the new migrations.")
        spare_schemas_discard_stale()
        spare_schemas_fill(count=settings.PAWPACT_SPARE_SCHEMAS)
        # A SIGTERM (a deploy tool stopping the job) ends the run as Ctrl-C does: reported, workers' statements ended.
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            self._shops(options)
        except FleetInterrupted as stop:
            self._interrupted(stop.report)
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _interrupted(self, report) -> None:
        done = len(report.migrated) + len(report.failed)
        self.stderr.write(
            f"Stopped after {done} of {report.behind} shop(s): {len(report.migrated)} migrated, "
            f"{len(report.failed)} failed. The shops in progress were rolled back and their statements "
            "ended on the server; run migrate_platform again to resume with the shops still behind."
        )
        raise CommandError("migrate_platform was stopped before it finished.", returncode=130)

    def _shops(self, options) -> None:
        show = not options["no_progress"] and options["verbosity"] >= 1
        bars = []

        def on_start(total):
            if show and total:
                bars.append(tqdm(total=total, unit="shop", desc="Migrating shops", file=self.stderr._out))

        counts = {"migrated": 0, "failed": 0}

        def progress(schema, error):
            counts["failed" if error else "migrated"] += 1
            for bar in bars:
                # The bar counts shops done; the postfix keeps a failure from reading as success.
                bar.set_postfix_str(f"{counts['migrated']} migrated, {counts['failed']} failed", refresh=False)
                bar.update(1)

        report = fleet_migrate(template=template_schema(), workers=options["workers"], progress=progress, on_start=on_start)
        for bar in bars:
            bar.close()
        if report.behind == 0:
            if options["verbosity"] >= 1:
                self.stdout.write("Every shop is at the template's migrations.")
            return
        self.stdout.write(f"Shops migrated: {len(report.migrated)} of {report.behind}.")
        if report.failed:
            for schema, error in sorted(report.failed.items()):
                self.stderr.write(f"{schema}: {error}")
            raise CommandError(
                f"{len(report.failed)} shop(s) failed and stay on their old schema behind a maintenance page; "
                "fix the migration and run migrate_platform again."
            )


def _ensure_public_site() -> None:
    """django-tenants routes the base domain through a Shop row for the public schema."""
    public, _ = Shop.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Pawpact", "slug": "public", "state": "active"},
    )
    Domain.objects.get_or_create(domain=settings.PAWPACT_BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
