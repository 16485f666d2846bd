import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from pawpact.accounts.models import User
from pawpact.config.demo import DEMO_SHOPS, PLATFORM_ADMIN, demo_load
from pawpact.config.demo_login import demo_logins_legacy_replace, demo_password, demo_password_path
from pawpact.core.links import site_url
from pawpact.tenants.models import Shop
from pawpact.tenants.services import shop_domain


class Command(BaseCommand):
    help = (
        "Create the platform admin and two demo shops with owners, customers and contracts "
        "(started on the sandbox rail, drained into the platform's books, with KPI facts and risk); "
        "print where to log in. Running it again only adds what is missing. The password of "
        "every demo login is generated on the first run and kept in .pawpact/demo-password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Create nothing if any shop exists already.")

    def handle(self, *args, **options):
        password_is_new = not demo_password_path().exists()
        if not (options["if_empty"] and Shop.objects.exclude(schema_name="public").exists()):
            report = demo_load()
            self.stdout.write(
                f"Demo data: {report.shops_created} shop(s), {report.customers_created} customer(s), "
                f"{report.contracts_activated} contract(s) started, {report.drafts_created} draft(s) created."
            )
            for note in report.notes:
                self.stdout.write(self.style.WARNING(f"  {note}"))
        if not User.objects.filter(email=PLATFORM_ADMIN).exists():
            return  # a database without the demo: no logins to show
        if password_is_new:
            demo_logins_legacy_replace(logins=_demo_logins(), password=demo_password())
        self._logins_print(shown_password=demo_password() if password_is_new else None)

    def _logins_print(self, *, shown_password: str | None) -> None:
        where = _shown(demo_password_path())
        if shown_password is not None:  # printed on the run that made it, never again
            header = f"Demo logins (password for each: {shown_password}, kept in {where})"
        else:
            header = f"Demo logins (the password of each is in {where})"
        self.stdout.write(self.style.SUCCESS(header))
        console = site_url(settings.PAWPACT_BASE_DOMAIN, "/console/")
        self.stdout.write(f"  {'Platform console':<26} {console}   {PLATFORM_ADMIN}")
        for demo in DEMO_SHOPS:
            host = shop_domain(demo.slug)
            self.stdout.write(f"  {demo.name:<26} {site_url(host, '/manage/')}   {demo.owner_email}")
            self.stdout.write(f"  {'  its customer':<26} {site_url(host, '/my/plans/')}   {demo.customer_email}")


def _demo_logins() -> dict[str | None, list[str]]:
    """Schema (None: public) → the demo logins in it; owners have an account on both sides."""
    logins: dict[str | None, list[str]] = {None: [PLATFORM_ADMIN] + [demo.owner_email for demo in DEMO_SHOPS]}
    schemas = dict(Shop.objects.filter(slug__in=[demo.slug for demo in DEMO_SHOPS]).values_list("slug", "schema_name"))
    for demo in DEMO_SHOPS:
        if demo.slug in schemas:
            logins[schemas[demo.slug]] = [demo.owner_email, demo.customer_email]
    return logins


def _shown(path: Path) -> str:
    """The path as typed from where the command runs (the checkout: `.pawpact/demo-password`)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.fspath(path)
