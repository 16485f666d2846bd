from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name

from pawpact.core.cache import database_cache_tables_create
from pawpact.tenants.models import Domain, Shop
from pawpact.tenants.template import spare_schemas_discard_stale, spare_schemas_fill, template_refresh


class Command(BaseCommand):
    help = "Migrate the public schema, the shop template (and its stored copy) and every shop."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        _ensure_public_site()
        database_cache_tables_create()
        snapshot = template_refresh(verbosity=verbosity)
        self.stdout.write(f"Shop template ready ({len(snapshot.ddl):,} bytes of DDL).")
        spare_schemas_discard_stale()
        spare_schemas_fill(count=settings.PAWPACT_SPARE_SCHEMAS)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)


def _ensure_public_site() -> None:
    """django-tenants routes the base domain through a Shop row for the public schema."""
    public, _ = Shop.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Pawpact", "slug": "public", "state": "active"},
    )
    Domain.objects.get_or_create(domain=settings.PAWPACT_BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
