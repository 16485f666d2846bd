"""The run command's test platform reaches the local fake Alipay, WeChat Pay and Stripe: the
gateways process started as the Procfile starts it, the settings built from the environment
the run command gives every process, and an owner's Alipay receiver verified and a console
statement fetch matched over real HTTP. Production refuses every such setting."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.models import PaymentMethod
from pawpact.billing.services.debits import period_collect
from pawpact.config.devstack import procfile_commands, running_processes
from pawpact.config.local_gateways import LOCAL_PLATFORM_ALIPAY_APP_ID, local_gateway_env, local_gateways_wanted
from pawpact.config.settings.requirements import production_problems
from pawpact.core.clock import default_clock
from pawpact.payments.gateways import adapters_forget
from pawpact.platform.enums import PayoutAccountStatus
from pawpact.platform.funding.payout_accounts import payout_account_verified, payout_account_verified_ref
from pawpact.platform.models import PayoutAccount, StatementImport
from pawpact.sandbox.gateways.alipay import BEIJING
from pawpact.sandbox.gateways.local import DEMO_PAYEES
from tests.billing.debits.factories import contract_create
from tests.conftest import SHOP_PASSWORD, host_of

ROOT = Path(__file__).resolve().parents[2]
RECEIVER, HOLDER = "2088102146225135", DEMO_PAYEES["2088102146225135"]
SETTINGS_PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'gateways': s.PAWPACT_GATEWAYS, 'stripe_base': s.STRIPE_API_BASE, 'stripe_key': s.STRIPE_SECRET_KEY, "
    "'webhook': s.STRIPE_WEBHOOK_SECRET, 'alipay': s.PAWPACT_PLATFORM_ALIPAY, 'mode': s.PAWPACT_PLATFORM_MODE}))"
)


def test_the_fakes_are_wanted_only_in_test_settings_without_real_providers(tmp_path):
    assert local_gateways_wanted({})
    assert not local_gateways_wanted({"STRIPE_SECRET_KEY": "sk_live_real"})
    assert not local_gateways_wanted({"PAWPACT_PLATFORM_ALIPAY_APP_ID": "2021000000000009"})
    assert not local_gateways_wanted({"DJANGO_SETTINGS_MODULE": "pawpact.config.settings.production"})
    assert not local_gateways_wanted({"PAWPACT_LOCAL_GATEWAYS": "0"})
    assert local_gateway_env({"STRIPE_SECRET_KEY": "sk_test_mine"}, tmp_path) == {}
    assert running_processes({}) == ("web", "worker", "beat", "warehouse")
    assert "gateways" in procfile_commands()


def test_keys_are_made_once_per_checkout_and_kept_private(tmp_path):
    first = local_gateway_env({"PAWPACT_GATEWAYS_PORT": "9710"}, tmp_path)
    again = local_gateway_env({"PAWPACT_GATEWAYS_PORT": "9710"}, tmp_path)
    assert first == again and first["STRIPE_SECRET_KEY"].startswith("sk_test_")
    assert first["PAWPACT_ALIPAY_TEST_GATEWAY"] == "http://127.0.0.1:9710/gateway.do"
    assert (first["PAWPACT_WECHAT_TEST_GATEWAY"], first["STRIPE_API_BASE"]) == (
        "http://127.0.0.1:9711", "http://127.0.0.1:9712")  # fmt: skip
    assert first["PAWPACT_PLATFORM_ALIPAY_APP_PRIVATE_KEY"].startswith("-----BEGIN PRIVATE KEY-----")
    assert {oct(path.stat().st_mode & 0o777) for path in (tmp_path / "gateways").iterdir()} == {"0o600"}
    assert running_processes(first)[-1] == "gateways"
    assert local_gateway_env({}, tmp_path / "other")["STRIPE_SECRET_KEY"] != first["STRIPE_SECRET_KEY"]


def test_production_refuses_every_local_fake_setting(tmp_path):
    env = local_gateway_env({}, tmp_path)
    problems = "\n".join(production_problems(env))
    for name in ("STRIPE_API_BASE", "PAWPACT_ALIPAY_TEST_GATEWAY", "PAWPACT_WECHAT_TEST_GATEWAY",
                 "PAWPACT_FAKE_ALIPAY_KEY"):  # fmt: skip
        assert f"{name}" in problems
    real = production_problems({"PAWPACT_ALIPAY_TEST_GATEWAY": "https://openapi-sandbox.dl.alipaydev.com/gateway.do"})
    assert not [p for p in real if "PAWPACT_ALIPAY_TEST_GATEWAY" in p]


def _three_free_ports() -> int:
    for _attempt in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + 2 > 65535:
            continue
        try:
            for port in (base, base + 1, base + 2):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    pytest.fail("no three free ports in a row")


@pytest.fixture
def local_stack(tmp_path, settings):
    """The `gateways` process as the run command starts it, and this test's settings as every
    process of the run command builds them from the same environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "PAWPACT_PLATFORM_ALIPAY_APP_ID",
                 "PAWPACT_ALIPAY_TEST_GATEWAY", "PAWPACT_WECHAT_TEST_GATEWAY"):  # fmt: skip
        env.pop(name, None)
    env["PAWPACT_GATEWAYS_PORT"] = str(_three_free_ports())
    env.update(local_gateway_env(env, tmp_path))
    command = procfile_commands()["gateways"].replace("python ", f"{sys.executable} ", 1)
    process = subprocess.Popen(command, shell=True, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        _wait_until_answering(env["STRIPE_API_BASE"] + "/__stats", process)
        built = json.loads(subprocess.run([sys.executable, "-c", SETTINGS_PRINT], cwd=ROOT, check=True, text=True,
                                          capture_output=True, env={**env, "DJANGO_SETTINGS_MODULE":
                                                                    "pawpact.config.settings.base"}).stdout)  # fmt: skip
        assert built["mode"] == "test" and built["alipay"]["app_id"] == LOCAL_PLATFORM_ALIPAY_APP_ID
        settings.PAWPACT_GATEWAYS = built["gateways"]
        settings.PAWPACT_PLATFORM_ALIPAY = built["alipay"]
        settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY = built["stripe_base"], built["stripe_key"]
        settings.STRIPE_WEBHOOK_SECRET = built["webhook"]
        adapters_forget()
        yield env
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
        adapters_forget()


def _wait_until_answering(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (the fake Stripe asks for a key)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} never answered")


def _owner(shop) -> Client:
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):  # the shop's administrator is the owner's account in the shop
        browser.force_login(User.objects.get(email=shop.owner.email))
    return browser


def test_an_owner_saves_an_alipay_receiver_and_the_local_alipay_verifies_or_refuses_it(shop, other_shop, local_stack):
    owner = _owner(shop)
    refused = owner.post("/settlements/payout-account/", {"kind": "alipay_receiver", "account_ref": RECEIVER,
                                                          "holder_name": "Someone Else Ltd"}, follow=True)  # fmt: skip
    account = PayoutAccount.objects.get(shop=shop)
    assert (account.status, account.verified_at) == (PayoutAccountStatus.REJECTED, None)
    assert "does not match the real name registered with Alipay" in refused.content.decode()
    # The form keeps what was given, to correct the name rather than retype everything.
    assert f'value="{RECEIVER}"' in refused.content.decode() and 'value="Someone Else Ltd"' in refused.content.decode()
    assert '<option value="alipay_receiver" selected>' in refused.content.decode()
    assert payout_account_verified(shop_id=shop.pk) is None  # nothing is paid there

    page = owner.post("/settlements/payout-account/", {"kind": "alipay_receiver", "account_ref": RECEIVER,
                                                       "holder_name": HOLDER}, follow=True)  # fmt: skip
    account.refresh_from_db()
    assert page.redirect_chain == [("/settlements/", 302)]
    assert (account.status, account.verified_by_id) == (PayoutAccountStatus.VERIFIED, shop.owner_id)
    assert "The provider accepted the payout account" in page.content.decode() and HOLDER in page.content.decode()
    assert payout_account_verified_ref(shop_id=shop.pk, kind="alipay_receiver") == RECEIVER  # payouts may go there
    assert PayoutAccount.objects.filter(shop=other_shop).count() == 0


def test_bad_input_is_shown_on_the_form_and_writes_nothing(shop, local_stack):
    owner = _owner(shop)
    response = owner.post("/settlements/payout-account/", {"kind": "alipay_receiver", "account_ref": "not one",
                                                           "holder_name": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400 and "请填写支付宝账户" in body and 'value="not one"' in body
    assert PayoutAccount.objects.count() == 0


def test_only_the_shops_administrator_gives_the_payout_account_and_a_live_shops_verified_one_stays(shop, local_stack):
    with schema_context(shop.schema_name):
        clerk = User.objects.create_user(f"clerk@{shop.slug}.test", SHOP_PASSWORD, is_staff=True)
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        browser.force_login(clerk)
    fields = {"kind": "alipay_receiver", "account_ref": RECEIVER, "holder_name": HOLDER}
    assert browser.post("/settlements/payout-account/", fields).status_code == 403
    assert PayoutAccount.objects.count() == 0

    owner = _owner(shop)
    owner.post("/settlements/payout-account/", fields)
    type(shop).objects.filter(pk=shop.pk).update(mode="live")
    changed = owner.post("/settlements/payout-account/", {**fields, "account_ref": "payouts@happypaws.cn"})
    assert changed.status_code == 403
    assert PayoutAccount.objects.get(shop=shop).account_ref == RECEIVER


def test_the_platform_admin_fetches_a_stripe_statement_from_the_local_stripe_and_it_matches(
    shop, local_stack, django_capture_on_commit_callbacks
):
    with schema_context(shop.schema_name):
        contract = contract_create(rail="stripe")
        PaymentMethod.objects.filter(pk=contract.payment_method_id).update(token="pm_card_visa", rail_customer_ref="cus_a")
        contract.refresh_from_db()
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=default_clock)
    assert (attempt.status, attempt.amount_minor) == ("succeeded", 39_900)
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    console = Client(HTTP_HOST=django_settings.PAWPACT_BASE_DOMAIN)
    console.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        console.post("/console/reconciliation/imports/", {"shop": shop.pk, "provider": "stripe",
                     "statement_date": datetime.now(BEIJING).date().isoformat()})  # fmt: skip
    fetched = StatementImport.objects.get()
    assert (fetched.status, fetched.error, fetched.lines, fetched.matched, fetched.mismatches) == ("done", "", 1, 1, 0)


@pytest.mark.parametrize(("account_ref", "status", "said"), [
    ("acct_1PawpactDemoPays", PayoutAccountStatus.VERIFIED, "has payouts enabled"),
    ("acct_1PawpactDemoOnboarding", PayoutAccountStatus.REJECTED, "payouts are not enabled on this account yet"),
    ("acct_1NobodyKnowsThis", PayoutAccountStatus.REJECTED, "Stripe has no such account: check the connected account id"),
])  # fmt: skip
def test_a_stripe_connected_account_is_asked_of_the_local_stripe(shop, local_stack, account_ref, status, said):
    page = _owner(shop).post("/settlements/payout-account/", {"kind": "stripe_connect", "account_ref": account_ref,
                                                              "holder_name": "Alpha Pets Ltd"}, follow=True)  # fmt: skip
    assert PayoutAccount.objects.get(shop=shop).status == status
    assert said in page.content.decode()
