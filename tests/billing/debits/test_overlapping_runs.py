"""Two debit runs at once, on real connections, over rows committed in a shop of their own."""
import threading

from django.db import connection, connections
from django.db.models import Count, Q
from django_tenants.utils import schema_context, schema_exists

from pawpact.accounts.models import User
from pawpact.billing.enums import AttemptStatus, PeriodStatus
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import DebitAttempt, DebitPeriod, Journal
from pawpact.billing.selectors import ledger_check
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.services import shop_provision
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create
from tests.conftest import SHOP_PASSWORD

SLUG = "debit-race"
SCHEMA = "shop_debit_race"
CONTRACTS = 60


def _in_thread(function):
    """Run on a connection of its own, which commits for real (outside the test's transaction)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 — re-raised in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _seed() -> None:
    owner = User.objects.create_user(f"owner@{SLUG}.test", SHOP_PASSWORD, name="Race owner")
    shop = shop_provision(name="Debit race", slug=SLUG, owner=owner)
    with schema_context(shop.schema_name):
        for number in range(CONTRACTS):
            contract_create(token="tok_slow" if number % 3 == 0 else "tok_success")


def _drop() -> None:
    """Undo the committed rows by hand; raw SQL, as in tests/tenants/test_signup.py."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM sandbox_sandboxcharge WHERE shop_schema = '{SCHEMA}';"
            f"DELETE FROM tenants_shopevent WHERE shop_id IN (SELECT id FROM tenants_shop WHERE slug = '{SLUG}');"
            f"DELETE FROM tenants_domain WHERE tenant_id IN (SELECT id FROM tenants_shop WHERE slug = '{SLUG}');"
            f"DELETE FROM tenants_shop WHERE slug = '{SLUG}';"
            f"DELETE FROM account_emailaddress WHERE email LIKE '%@{SLUG}.test';"
            f"DELETE FROM accounts_user WHERE email LIKE '%@{SLUG}.test';"
            f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE;'
        )


def test_two_overlapping_runs_charge_each_period_exactly_once(shop, settings):
    settings.SANDBOX_RAIL_SLOW_SECONDS = 0.01  # slow enough for the runs to interleave
    clock = FixedClock(SIGNING_DAY_NOON)
    barrier = threading.Barrier(2)
    reports: list = []
    errors: list = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            with schema_context(SCHEMA):
                reports.append(debit_run_shop(clock=clock, batch_size=4))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    def verify() -> dict:
        with schema_context(SCHEMA):
            per_period = DebitPeriod.objects.filter(number=1).annotate(
                successes=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUCCEEDED)),
                attempts_made=Count("attempts"),
            )
            return {
                "successes": sorted({p.successes for p in per_period}),
                "attempts": sorted({p.attempts_made for p in per_period}),
                "paid": DebitPeriod.objects.filter(status=PeriodStatus.PAID).count(),
                "started": DebitAttempt.objects.filter(status=AttemptStatus.STARTED).count(),
                "journals": Journal.objects.count(),
                "events": OutboxEvent.objects.count(),
                "rail_charges": SandboxCharge.objects.filter(shop_schema=SCHEMA).count(),
                "unbalanced": unbalanced_journals(),
                "ledger_problems": ledger_check().problems,
            }

    try:
        _in_thread(_seed)
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert sum(report.attempted for report in reports) == CONTRACTS
        assert sum(report.succeeded for report in reports) == CONTRACTS
        assert all(report.attempted > 0 for report in reports), "the runs did not overlap"
        assert _in_thread(verify) == {
            "successes": [1],
            "attempts": [1],
            "paid": CONTRACTS,
            "started": 0,
            "journals": CONTRACTS,
            "events": CONTRACTS,
            "rail_charges": CONTRACTS,
            "unbalanced": [],
            "ledger_problems": [],
        }
    finally:
        _in_thread(_drop)
    assert not _in_thread(lambda: schema_exists(SCHEMA))

