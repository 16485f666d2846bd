from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from pawpact.accounts.models import User
from pawpact.tenants.models import Shop
from pawpact.tenants.services import shop_domain, shop_provision

DEMO_PASSWORD = "pawpact-demo"
PLATFORM_ADMIN = "admin@pawpact.localhost"
DEMO_SHOPS = [
    ("happy-paws", "Happy Paws 快乐爪爪领养馆", "Li Na 李娜", "owner@happy-paws.localhost", "13800000001"),
    ("whisker-home", "Whisker Home 胡须之家", "Wang Wei 王伟", "owner@whisker-home.localhost", "13800000002"),
]


class Command(BaseCommand):
    help = "Create the platform admin and two demo shops with owners; print where to log in."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Create nothing if any shop exists already.")

    def handle(self, *args, **options):
        if not (options["if_empty"] and Shop.objects.exclude(schema_name="public").exists()):
            _create_demo_data()
        port = settings.PAWPACT_PORT
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for each: {DEMO_PASSWORD})"))
        self.stdout.write(f"  Platform console   http://{settings.PAWPACT_BASE_DOMAIN}:{port}/console/   {PLATFORM_ADMIN}")
        for slug, name, _owner_name, email, _phone in DEMO_SHOPS:
            self.stdout.write(f"  {name:<26} http://{shop_domain(slug)}:{port}/admin/   {email}")


@transaction.atomic
def _create_demo_data() -> None:
    if not User.objects.filter(email=PLATFORM_ADMIN).exists():
        User.objects.create_superuser(PLATFORM_ADMIN, DEMO_PASSWORD, name="Platform admin")
    for slug, name, owner_name, email, phone in DEMO_SHOPS:
        if not Shop.objects.filter(slug=slug).exists():
            owner = User.objects.create_user(email, DEMO_PASSWORD, name=owner_name, phone=phone)
            shop_provision(name=name, slug=slug, owner=owner)
