"""Staff at several desks redeeming one pet's plan grooming at partners at the same moment, on
real connections committing in a shop of their own: the allowance (2 a period) lets exactly two in."""
import threading
from datetime import date

import time_machine
from django.db import connection, connections
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.care.errors import EntitlementUnavailable
from pawpact.care.services.partner_redemptions import partner_visit_book
from pawpact.core.clock import FixedClock
from pawpact.partners.models import PartnerBooking
from pawpact.tenants.models import Shop
from pawpact.tenants.services import shop_provision
from tests.billing.debits.test_overlapping_runs import _in_thread
from tests.care.factories import NOW, at, contract_with_grooming
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import listed

SLUG = "redeem-race"
SCHEMA = "shop_redeem_race"
RACERS = 6
MONDAY = date(2026, 3, 9)  # period 2 of the contract


def _seed():
    owner = User.objects.create_user(f"owner@{SLUG}.test", SHOP_PASSWORD, name="Race owner")
    shop = shop_provision(name="Redeem race", slug=SLUG, owner=owner)
    partners = [listed(name=f"Race groomer {n}", kind="groomer", services=("grooming",)).pk for n in range(2)]
    with schema_context(shop.schema_name):
        pet_id = contract_with_grooming(quantity=2).pet_id
    return shop.pk, partners, pet_id


def _drop() -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM partners_partnerbooking WHERE partner_id IN"
            " (SELECT id FROM partners_partner WHERE name LIKE 'Race groomer %%');"
            "DELETE FROM partners_partnerstatechange WHERE partner_id IN"
            " (SELECT id FROM partners_partner WHERE name LIKE 'Race groomer %%');"
            "DELETE FROM partners_partner WHERE name LIKE 'Race groomer %%';"
            f"DELETE FROM tenants_shopevent WHERE shop_id IN (SELECT id FROM tenants_shop WHERE slug = '{SLUG}');"
            f"DELETE FROM tenants_domain WHERE tenant_id IN (SELECT id FROM tenants_shop WHERE slug = '{SLUG}');"
            f"DELETE FROM tenants_shop WHERE slug = '{SLUG}';"
            f"DELETE FROM account_emailaddress WHERE email LIKE '%%@{SLUG}.test';"
            f"DELETE FROM accounts_user WHERE email LIKE '%%@{SLUG}.test';"
            f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE;'
        )


def test_parallel_redemptions_never_exceed_the_allowance(db):
    with time_machine.travel(NOW, tick=False):
        try:
            shop_id, partner_ids, pet_id = _in_thread(_seed)
            barrier = threading.Barrier(RACERS)
            outcomes: list[str] = []

            def race(n):
                try:
                    shop = Shop.objects.get(pk=shop_id)
                    with schema_context(SCHEMA):
                        from pawpact.customers.models import Pet

                        pet = Pet.objects.select_related("owner").get(pk=pet_id)
                        barrier.wait(timeout=30)
                        partner_visit_book(shop=shop, partner_id=partner_ids[n % 2], pet=pet, service="grooming",
                                           scheduled_at=at(MONDAY, 10 + n), with_entitlement=True,
                                           clock=FixedClock(NOW))  # fmt: skip
                    outcomes.append("redeemed")
                except EntitlementUnavailable:
                    outcomes.append("entitlement_unavailable")
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=race, args=(n,)) for n in range(RACERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert sorted(outcomes) == ["entitlement_unavailable"] * (RACERS - 2) + ["redeemed"] * 2
            periods = _in_thread(lambda: list(
                PartnerBooking.objects.filter(shop_id=shop_id, with_entitlement=True).values_list("period_number", flat=True)
            ))  # fmt: skip
            assert periods == [2, 2]
        finally:
            _in_thread(_drop)
