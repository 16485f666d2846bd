"""Test and live modes: sandbox providers serve test mode only, live mode needs verified
providers, and the platform's books hold facts of its own mode only."""

import os
import subprocess
import sys
import uuid

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import call_command
from django_tenants.utils import schema_context

from pawpact.billing.errors import InvalidPaymentMethod
from pawpact.billing.models import DebitAttempt, PaymentMethod
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.debits import period_collect
from pawpact.billing.services.signing import contract_attach_payment_method
from pawpact.core.clock import FixedClock
from pawpact.outbox.models import OutboxEvent
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.funding.payout_rails import payout_rail_for
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.kpis.facts import facts_between
from pawpact.platform.models import Advance, Payout
from pawpact.platform.saas.billing_adapters import SandboxSaasAdapter
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.credentials import credential_get, credential_save
from pawpact.tenants.errors import CredentialsInvalid, SandboxRefusedInLiveMode
from pawpact.tenants.models import Shop, ShopCredential
from pawpact.tenants.secrets import SecretUnreadable
from tests.api.test_billing_api import NOW, api, contract_url, counts, draft, error, ok
from tests.billing.debits.factories import SIGNING_DAY_NOON, contract_create
from tests.payments.gateways import (
    alipay_credentials,
    fake_alipay,  # noqa: F401  (a fixture)
)
from tests.platform.funding.conftest import signed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def live_shop(shop):
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    shop.refresh_from_db()
    return shop


@pytest.fixture
def staff_token(shop_staff):
    return shop_staff.api_token


def test_production_starts_live_and_development_in_test_mode(settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAWPACT_", "DJANGO_", "STRIPE_"))}
    env.update({"DJANGO_SECRET_KEY": "k3Jx9-Qv2LmW8zR7tYp4NcB6hF1sD0gA5eU-oI3wZ8qX2vT9rK7mP4nL6jH1bG", "DATABASE_URL": "postgres://u@h/d",
                "REDIS_URL": "redis://h:6379/0", "PAWPACT_BASE_DOMAIN": "pawpact.example"})  # fmt: skip
    code = "import pawpact.config.settings.production as p; print(p.PAWPACT_PLATFORM_MODE, p.PAWPACT_DEFAULT_SHOP_MODE)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["live", "live"], result.stderr
    assert (settings.PAWPACT_PLATFORM_MODE, settings.PAWPACT_DEFAULT_SHOP_MODE) == ("test", "test")


def test_a_live_shop_refuses_a_sandbox_token_over_the_api_and_writes_nothing(live_shop, staff_token):
    with time_machine.travel(NOW, tick=False):
        client = api(live_shop, staff_token)
        contract = draft(client)
        before = counts(live_shop)
        body = client.post(contract_url(contract["uuid"], "payment-method"), {"rail": "sandbox", "token": "tok_success"},
                           format="json")  # fmt: skip
        refusal = error(body, 422)
    assert refusal["code"] == "sandbox_in_live_mode" and "test mode" in refusal["message"]
    assert counts(live_shop) == before


def test_live_applications_are_live_and_never_get_a_sandbox_credit_score(live_shop, staff_token):
    with time_machine.travel(NOW, tick=False):
        client = api(live_shop, staff_token)
        contract = draft(client, suffix="999")  # a sandbox score of 950 would waive the deposit
        refusal = error(client.post(contract_url(contract["uuid"], "credit-check")), 422)
        after = ok(client.get(contract_url(contract["uuid"])))
    assert refusal["code"] == "credentials_missing"
    assert (after["credit_score"], after["deposit_status"]) == (None, "")
    with schema_context(live_shop.schema_name):
        from pawpact.billing.models import Contract

        assert Contract.objects.get(uuid=contract["uuid"]).livemode is True


def test_a_live_contract_on_a_sandbox_token_is_never_charged(shop):
    with schema_context(shop.schema_name):
        contract = contract_create(livemode=True)  # as if written before the rule existed
        charges = SandboxCharge.objects.count()
        with pytest.raises(SandboxRefusedInLiveMode):
            period_collect(period=contract.periods_set.first(), clock=FixedClock(SIGNING_DAY_NOON))
        assert debit_run_shop(clock=FixedClock(SIGNING_DAY_NOON)).attempted == 0
        assert DebitAttempt.objects.filter(period__contract=contract).count() == 0
    assert SandboxCharge.objects.count() == charges


def test_a_payment_method_never_pays_a_contract_of_the_other_mode(shop):
    with schema_context(shop.schema_name):
        test_contract = contract_create(status="signed")
        live_method = PaymentMethod.objects.create(
            customer=test_contract.customer, rail="alipay", token="2026000000000001", livemode=True
        )
        with pytest.raises(InvalidPaymentMethod, match="live mode cannot pay a test-mode contract"):
            contract_attach_payment_method(contract=test_contract, payment_method=live_method)
        live_contract = contract_create(status="signed", livemode=True)
        test_method = PaymentMethod.objects.create(
            customer=live_contract.customer, rail="sandbox", token="tok_success.x"
        )
        with pytest.raises(InvalidPaymentMethod, match="test mode cannot pay a live contract"):
            contract_attach_payment_method(contract=live_contract, payment_method=test_method)
        test_contract.refresh_from_db()
        assert test_contract.payment_method.rail == "sandbox"


def test_a_live_platform_never_moves_pretend_money_for_itself(settings, shop):
    settings.PAWPACT_PLATFORM_MODE = "live"
    with pytest.raises(SandboxRefusedInLiveMode):
        SandboxSaasAdapter().method_save(token="tok_success", customer_ref="", shop_name="Alpha", shop_id=shop.pk)
    with pytest.raises(SandboxRefusedInLiveMode):
        payout_rail_for("sandbox")
    with pytest.raises(SandboxRefusedInLiveMode):
        settlement_run(clock=FixedClock(NOW), shop_ids=[shop.pk])
    assert Payout.objects.count() == 0


def _emit(shop, *, livemode: bool) -> uuid.UUID:
    contract_uuid = uuid.uuid4()
    kind, payload = signed(contract_uuid)
    with schema_context(shop.schema_name):
        OutboxEvent.objects.create(kind=kind, aggregate_uuid=contract_uuid, payload=payload, livemode=livemode,
                                   created_at=NOW)  # fmt: skip
    return contract_uuid


@pytest.mark.parametrize("platform_mode", ["live", "test"])
def test_the_platform_takes_in_facts_of_its_own_mode_only(settings, shop, platform_mode):
    settings.PAWPACT_PLATFORM_MODE = platform_mode
    test_contract, live_contract = _emit(shop, livemode=False), _emit(shop, livemode=True)
    with schema_context(shop.schema_name):
        report = outbox_drain_and_apply(shop=shop, clock=FixedClock(NOW))
    assert report.applied == 2  # both are marked applied; only one is taken in
    funded = set(Advance.objects.filter(shop=shop).values_list("contract_uuid", flat=True))
    assert funded == ({live_contract} if platform_mode == "live" else {test_contract})
    facts = facts_between(shop_id=shop.pk, start=NOW.replace(day=1), end=NOW.replace(day=28))
    assert (facts.signings, facts.active_contracts) == (1, 1)


def test_credentials_are_checked_encrypted_rotated_and_never_shown(settings, shop, fake_alipay):
    with pytest.raises(CredentialsInvalid) as refused:
        credential_save(shop=shop, provider="alipay", livemode=True, config={"app_id": "12"},
                        secrets={"app_private_key": "MIIE-not-a-key", "alipay_public_key": ""}, actor=None)  # fmt: skip
    assert set(refused.value.fields) == {"app_id", "app_private_key", "alipay_public_key"}
    assert ShopCredential.objects.count() == 0
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PAWPACT_SECRET_KEYS = [old]
    row = alipay_credentials(shop, fake_alipay, livemode=True)
    private_key = credential_get(shop_id=shop.pk, provider="alipay", livemode=True).secrets["app_private_key"]
    assert private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert "PRIVATE KEY" not in row.secret_ciphertext and private_key not in repr(row)
    assert "PRIVATE" not in repr(credential_get(shop_id=shop.pk, provider="alipay", livemode=True))
    settings.PAWPACT_SECRET_KEYS = [new, old]
    call_command("secrets_rotate", stdout=open(os.devnull, "w"))
    settings.PAWPACT_SECRET_KEYS = [new]  # the old key is gone: the rotated secret still opens
    assert credential_get(shop_id=shop.pk, provider="alipay", livemode=True).secrets["app_private_key"] == private_key
    settings.PAWPACT_SECRET_KEYS = [old]
    with pytest.raises(SecretUnreadable):
        credential_get(shop_id=shop.pk, provider="alipay", livemode=True)
