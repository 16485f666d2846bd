from django.conf import settings
from django.core.management.base import BaseCommand

from pawpact.config.demo import DEMO_PASSWORD, DEMO_SHOPS, PLATFORM_ADMIN, demo_load
from pawpact.tenants.models import Shop
from pawpact.tenants.services import shop_domain


class Command(BaseCommand):
    help = (
        "Create the platform admin and two demo shops with owners, customers and contracts "
        "(started on the sandbox rail, drained into the platform's books, with KPI facts and risk); "
        "print where to log in. Running it again only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Create nothing if any shop exists already.")

    def handle(self, *args, **options):
        if not (options["if_empty"] and Shop.objects.exclude(schema_name="public").exists()):
            report = demo_load()
            self.stdout.write(
                f"Demo data: {report.shops_created} shop(s), {report.customers_created} customer(s), "
                f"{report.contracts_activated} contract(s) started, {report.drafts_created} draft(s) created."
            )
            for note in report.notes:
                self.stdout.write(self.style.WARNING(f"  {note}"))
        port = settings.PAWPACT_PORT
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for each: {DEMO_PASSWORD})"))
        self.stdout.write(f"  Platform console   http://{settings.PAWPACT_BASE_DOMAIN}:{port}/console/   {PLATFORM_ADMIN}")
        for demo in DEMO_SHOPS:
            host = f"http://{shop_domain(demo.slug)}:{port}"
            self.stdout.write(f"  {demo.name:<26} {host}/admin/   {demo.owner_email}")
            self.stdout.write(f"  {'  its customer':<26} {host}/my/plans/   {demo.customer_email}")
