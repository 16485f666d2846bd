from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing import tasks
from pawpact.billing.enums import PeriodStatus
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import DebitPeriod
from pawpact.config.celery import app  # noqa: F401 — the app the tasks bind to (eager in tests)
from pawpact.config.schedules import beat_schedule
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.enums import ShopState
from pawpact.tenants.services import shop_provision, shop_set_state
from tests.billing.debits.factories import contract_create
from tests.conftest import SHOP_PASSWORD


def test_the_dispatcher_runs_each_ready_shop_in_its_own_schema_and_skips_deactivated_ones(
    shop, other_shop, monkeypatch
):
    owner = User.objects.create_user("owner@closed.test", SHOP_PASSWORD)
    closed = shop_provision(name="Closed Pets", slug="closed-pets", owner=owner)
    shop_set_state(shop=closed, state=ShopState.DEACTIVATED, actor=owner)
    today = timezone.localdate()  # Beijing: period 1 opened at midnight
    contracts = {}
    for each in (shop, other_shop, closed):
        with schema_context(each.schema_name):
            contracts[each.schema_name] = contract_create(signed_on=today)

    ran_in: list[str] = []
    real_run = tasks.debit_run_shop

    def recording_run(**kwargs):
        ran_in.append(connection.schema_name)
        return real_run(**kwargs)

    monkeypatch.setattr(tasks, "debit_run_shop", recording_run)
    assert tasks.debit_run_dispatch_task.delay().get() == 2
    tasks.debit_run_dispatch_task.delay()  # the next tick: nothing left to charge

    assert ran_in == ["shop_alpha", "shop_beta", "shop_alpha", "shop_beta"]
    assert connection.schema_name == "public"
    expectations = ((shop, PeriodStatus.PAID), (other_shop, PeriodStatus.PAID), (closed, PeriodStatus.SCHEDULED))
    for each, expected in expectations:
        with schema_context(each.schema_name):
            # Each shop sees only its own contract, and it was charged in its own schema.
            periods = DebitPeriod.objects.filter(number=1)
            assert list(periods.values_list("contract_id", "status")) == [(contracts[each.schema_name].pk, expected)]
            charged = int(expected == PeriodStatus.PAID)  # two ticks, one charge
            assert DebitPeriod.objects.filter(status=PeriodStatus.PAID).count() == charged
            assert SandboxCharge.objects.filter(shop_schema=each.schema_name).count() == charged
            assert unbalanced_journals() == []


def test_the_debit_run_is_scheduled_with_an_expiry():
    entry = beat_schedule()["billing-debit-run"]
    assert entry["task"] == "billing.debit_run_dispatch"
    assert entry["options"]["expires"] == 600
    assert tasks.debit_run_shop_task.name == "billing.debit_run_shop"
    assert tasks.debit_run_shop_task.acks_late is True
