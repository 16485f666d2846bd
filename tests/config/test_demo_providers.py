"""The demo shops get their own Alipay app, WeChat Pay merchant and mini-program at the local fake
gateways, verified there, so a platform admin can fetch their statements and their customers sign
in with the fake WeChat's wx.login() codes; they stay in test mode."""
import json
from datetime import datetime
from urllib.request import Request, urlopen

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User, WeChatIdentity
from pawpact.config.demo_providers import demo_providers_load
from pawpact.config.local_gateways import demo_merchants
from pawpact.platform.models import StatementImport
from pawpact.sandbox.gateways.alipay import BEIJING
from pawpact.tenants.models import Shop, ShopCredential
from tests.config.test_local_gateways import local_stack  # noqa: F401  (the fixture)
from tests.conftest import SHOP_PASSWORD, host_of


@pytest.fixture
def demo_env(local_stack, monkeypatch):  # noqa: F811
    for name in ("PAWPACT_FAKE_DEMO_MERCHANTS", "PAWPACT_PLATFORM_ALIPAY_PUBLIC_KEY"):
        monkeypatch.setenv(name, local_stack[name])
    return local_stack


def test_each_demo_shop_gets_verified_test_credentials_at_the_fakes_once(shop, other_shop, demo_env, tmp_path):
    report = demo_providers_load(wait_seconds=30, state_dir=tmp_path, seed_debits=False, shops={"happy-paws": shop,
                                                                             "whisker-home": other_shop})  # fmt: skip
    providers = ("alipay", "miniprogram", "wechat")
    assert sorted(report.verified) == sorted(f"{s.slug}/{p}" for s in (shop, other_shop) for p in providers)
    rows = ShopCredential.objects.order_by("shop_id", "provider")
    assert [(r.shop_id, r.provider, r.livemode, r.verified_at is not None) for r in rows] == [
        (s.pk, p, False, True) for s in (shop, other_shop) for p in providers
    ]  # fmt: skip
    merchants = demo_merchants(tmp_path)
    assert rows[0].config == {"app_id": merchants["happy-paws"]["alipay_app_id"]}
    assert rows[3].config["app_id"] != rows[0].config["app_id"]  # each shop its own app
    assert rows[1].config["appid"] != rows[4].config["appid"]  # and its own mini-program
    assert all("PRIVATE KEY" not in str(r.secret_ciphertext) for r in rows)  # encrypted at rest
    assert set(Shop.objects.filter(pk__in=[shop.pk, other_shop.pk]).values_list("mode", flat=True)) == {"test"}
    saved = list(rows.values_list("updated_at", flat=True))
    assert demo_providers_load(wait_seconds=5, state_dir=tmp_path, seed_debits=False, shops={"happy-paws": shop}).verified == []
    assert list(ShopCredential.objects.order_by("shop_id", "provider").values_list("updated_at", flat=True)) == saved


@pytest.mark.parametrize("provider", ["alipay", "wechat"])
def test_the_platform_admin_fetches_a_demo_shops_statement(shop, demo_env, tmp_path, provider,
                                                            django_capture_on_commit_callbacks):
    demo_providers_load(wait_seconds=30, state_dir=tmp_path, seed_debits=False, shops={"happy-paws": shop})
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    console = Client(HTTP_HOST=django_settings.PAWPACT_BASE_DOMAIN)
    console.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        console.post("/console/reconciliation/imports/", {"shop": shop.pk, "provider": provider,
                     "statement_date": datetime.now(BEIJING).date().isoformat()})  # fmt: skip
    fetched = StatementImport.objects.get()
    assert (fetched.status, fetched.error, fetched.mismatches) == ("done", "", 0)


def test_without_the_local_fakes_no_credentials_are_made(shop, tmp_path, monkeypatch):
    monkeypatch.delenv("PAWPACT_FAKE_DEMO_MERCHANTS", raising=False)
    report = demo_providers_load(wait_seconds=1, state_dir=tmp_path, shops={"happy-paws": shop})
    assert report.verified == [] and "not in use" in report.notes[0]
    assert ShopCredential.objects.count() == 0 and not (tmp_path / "gateways").exists()


def test_a_demo_shops_customer_signs_in_with_a_code_of_the_fake_wechat(shop, demo_env, tmp_path):
    demo_providers_load(wait_seconds=30, state_dir=tmp_path, seed_debits=False, shops={"happy-paws": shop})
    appid = ShopCredential.objects.get(shop=shop, provider="miniprogram").config["appid"]

    def wx_login(user: str) -> str:  # what the mini-program's wx.login() gives, as docs/api.md shows with curl
        request = Request(f"{demo_env['PAWPACT_WECHAT_TEST_GATEWAY']}/__fake/wx.login", method="POST",
                          data=json.dumps({"appid": appid, "user": user}).encode())  # fmt: skip
        with urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())["code"]

    with schema_context(shop.schema_name):
        User.objects.create_user("ann@alpha.test", SHOP_PASSWORD)
    api = APIClient(HTTP_HOST=host_of(shop))
    token = api.post("/api/v1/auth/token", {"email": "ann@alpha.test", "password": SHOP_PASSWORD}).json()["token"]
    linked = api.post("/api/v1/auth/wechat/link", {"code": wx_login("ann")}, HTTP_AUTHORIZATION=f"Token {token}")
    assert linked.status_code == 204
    signed_in = APIClient(HTTP_HOST=host_of(shop)).post("/api/v1/auth/wechat", {"code": wx_login("ann")})
    assert signed_in.status_code == 200 and signed_in.json()["token"]
    with schema_context(shop.schema_name):
        assert WeChatIdentity.objects.get().openid.startswith("o")
