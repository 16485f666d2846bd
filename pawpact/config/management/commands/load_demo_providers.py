from django.core.management.base import BaseCommand

from pawpact.config.demo_providers import demo_providers_load


class Command(BaseCommand):
    help = (
        "Give the demo shops their Alipay app and WeChat Pay merchant at the local fake gateways, as "
        "verified test-mode credentials (waiting for the fakes to answer). Only what is missing is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=60, help="Seconds to wait for the fake gateways to answer.")

    def handle(self, *args, **options):
        report = demo_providers_load(wait_seconds=options["wait"])
        for done in report.verified:
            self.stdout.write(f"Demo providers: {done} verified at the local fake gateway")
        for note in report.notes:
            self.stdout.write(f"Demo providers: {note}")
