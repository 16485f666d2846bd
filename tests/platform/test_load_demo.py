"""`manage.py load_demo`: two demo shops with customers, contracts started through the real
services, drained into the platform's books, with KPI facts and risk; idempotent.

The command provisions its own demo shops (happy-paws, whisker-home) inside the test's
transaction, next to the session shops alpha and beta, so the counts below are exact."""
import io
import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import tenant_context

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.config.demo_login import LEGACY_PASSWORD, demo_password
from pawpact.core.clock import default_clock
from pawpact.core.months import month_start
from pawpact.customers.models import Customer, Pet
from pawpact.outbox.models import OutboxEvent
from pawpact.platform.models import (
    Advance,
    FundingTerms,
    PlatformEvent,
    PlatformJournal,
    ShopDailyRisk,
    ShopMonthlyKpi,
)
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.models import Shop
from tests.conftest import host_of

SLUGS = ("happy-paws", "whisker-home")
# The demo customer with a login, and the number of periods of their contract.
LOGINS = {"happy-paws": ("customer@happy-paws.localhost", 12), "whisker-home": ("customer@whisker-home.localhost", 24)}


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PAWPACT_STATE_DIR = tmp_path  # a first run: no demo password yet
    output = load_demo()
    shops = {shop.slug: shop for shop in Shop.objects.filter(slug__in=SLUGS)}
    assert set(shops) == set(SLUGS)
    return output, shops


def test_each_demo_shop_has_the_contracts_designed(demo):
    _output, shops = demo
    for shop in shops.values():
        with tenant_context(shop):
            assert Customer.objects.count() == 8
            assert Counter(Contract.objects.values_list("status", flat=True)) == {
                ContractStatus.ACTIVE: 7,
                ContractStatus.DRAFT: 1,
            }
            active = Contract.objects.filter(status=ContractStatus.ACTIVE)
            assert Counter(active.values_list("plan_version__plan__code", flat=True)) == {
                "basic": 3, "advanced": 2, "premium": 2,
            }  # fmt: skip
            # Scores under 600 hold the plan's deposit; 600 or more waive it.
            assert Counter(active.values_list("deposit_status", flat=True)) == {
                DepositStatus.HELD: 3,
                DepositStatus.WAIVED: 4,
            }
            for contract in active:
                assert (contract.credit_score < 600) == (contract.deposit_status == DepositStatus.HELD)
                assert contract.signed_at is not None and contract.payment_method.token.startswith("tok_success")
                periods = DebitPeriod.objects.filter(contract=contract)
                assert periods.count() == contract.periods
                assert list(periods.filter(status=PeriodStatus.PAID).values_list("number", flat=True)) == [1]
            draft = Contract.objects.get(status=ContractStatus.DRAFT)
            assert draft.credit_checked_at is not None and draft.signed_at is None
            assert not DebitPeriod.objects.filter(contract=draft).exists()
            assert Pet.objects.filter(owner__isnull=False).count() == 8


def test_one_customer_per_shop_logs_in_to_their_own_shop_and_sees_their_calendar(demo):
    _output, shops = demo
    for slug, shop in shops.items():
        email, periods = LOGINS[slug]
        with tenant_context(shop):
            assert list(Customer.objects.filter(user__isnull=False).values_list("user__email", flat=True)) == [email]
        browser = Client(HTTP_HOST=host_of(shop))
        login = browser.post("/accounts/login/", {"login": email, "password": demo_password()})
        assert login.status_code == 302, login.content.decode()[:500]
        page = browser.get("/my/plans/")
        assert page.status_code == 200
        html = page.content.decode()
        assert html.count(f" / {periods}</td>") == periods
        assert f"<tr><td>1 / {periods}</td>" in html and "<td>Paid</td>" in html

        other = shops[next(s for s in SLUGS if s != slug)]
        elsewhere = Client(HTTP_HOST=host_of(other)).post(
            "/accounts/login/", {"login": email, "password": demo_password()}
        )
        assert elsewhere.status_code == 200  # the form again: no such account at the other shop


def test_the_platform_buys_every_active_contract_and_has_this_months_kpis_and_risk(demo):
    _output, shops = demo
    today = default_clock.today()
    for shop in shops.values():
        with tenant_context(shop):
            active = set(Contract.objects.filter(status=ContractStatus.ACTIVE).values_list("uuid", flat=True))
            assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
        advances = Advance.objects.filter(shop=shop)
        assert set(advances.values_list("contract_uuid", flat=True)) == active
        assert advances.count() == 7
        assert {(a.advance_rate, a.fee_minor) for a in advances} == {(Decimal("0.9000"), 1_000)}
        assert all(a.collected_minor == a.monthly_amount_minor for a in advances)
        assert FundingTerms.objects.get(shop=shop).recourse_rule == "full"
        assert not PlatformEvent.objects.filter(shop=shop, applied_at__isnull=True).exists()
        kpi = ShopMonthlyKpi.objects.get(shop=shop, month=month_start(today))
        assert (kpi.signings, kpi.active_contracts, kpi.debits_succeeded) == (7, 7, 7)
        assert ShopDailyRisk.objects.filter(shop=shop, day=today - timedelta(days=1)).exists()


def _snapshot(shops) -> dict:
    counts = {
        "shops": Shop.objects.count(),
        "users": User.objects.count(),
        "advances": Advance.objects.count(),
        "events": PlatformEvent.objects.count(),
        "platform journals": PlatformJournal.objects.count(),
        "kpi rows": ShopMonthlyKpi.objects.count(),
        "risk rows": ShopDailyRisk.objects.count(),
        "funding terms": FundingTerms.objects.count(),
        "sandbox charges": SandboxCharge.objects.count(),
    }
    for slug, shop in shops.items():
        with tenant_context(shop):
            for model in (User, Customer, Pet, Contract, DebitPeriod, OutboxEvent):
                counts[f"{slug} {model.__name__}"] = model.objects.count()
    return counts


def test_running_it_again_creates_nothing_new(demo):
    _output, shops = demo
    before = _snapshot(shops)

    again = load_demo()
    if_empty = load_demo("--if-empty")

    assert _snapshot(shops) == before
    assert "0 shop(s), 0 customer(s), 0 contract(s) started, 0 draft(s) created" in again
    assert "Demo data:" not in if_empty  # shops exist: --if-empty creates nothing at all
    assert "customer@happy-paws.localhost" in if_empty


def test_the_shop_and_platform_ledgers_check_out(demo):
    out = io.StringIO()
    call_command("billing_ledger_check", stdout=out)
    call_command("platform_ledger_check", stdout=out)
    assert "0 failed" in out.getvalue()
    assert "platform ledger: ok" in out.getvalue()


def test_the_summary_prints_every_login(demo):
    output, _shops = demo
    assert "Demo data: 2 shop(s), 16 customer(s), 14 contract(s) started, 2 draft(s) created." in output
    for email in ("admin@pawpact.localhost", "owner@happy-paws.localhost", "owner@whisker-home.localhost",
                  "customer@happy-paws.localhost", "customer@whisker-home.localhost"):  # fmt: skip
        assert email in output
    assert "/my/plans/" in output


def test_the_demo_logins_reach_dashboards_that_show_the_demo(demo):
    _output, shops = demo
    console = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    login = console.post("/accounts/login/", {"login": "admin@pawpact.localhost", "password": demo_password()})
    assert login.status_code == 302
    for path in ("/console/funding/", "/console/insights/"):
        page = console.get(path)
        assert page.status_code == 200, path
    assert "Happy Paws" in console.get("/console/funding/").content.decode()

    shop = shops["happy-paws"]
    office = Client(HTTP_HOST=host_of(shop))
    login = office.post("/accounts/login/", {"login": "owner@happy-paws.localhost", "password": demo_password()})
    assert login["Location"] == "/manage/"
    assert office.get("/manage/").status_code == 200
    insights = office.get("/insights/")
    assert insights.status_code == 200
    assert insights.context["month"] == month_start(default_clock.today())
    page = insights.content.decode()
    success = re.search(r'<tr data-kpi="debit_success_rate">(.*?)</tr>', page, re.DOTALL).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', success)[0] == "100.00%"  # 7 of 7 first debits


def _demo_users(shops) -> list[User]:
    """Every login the demo made: the platform admin and owners, and each shop's own accounts."""
    users = list(User.objects.filter(email__endswith=".localhost"))
    for shop in shops.values():
        with tenant_context(shop):
            users += list(User.objects.all())
    return users


def test_no_demo_login_has_the_old_shared_password(demo):
    output, shops = demo
    password = demo_password()
    users = _demo_users(shops)

    assert len(users) == 3 + 2 * 2  # admin and two owners; in each shop its owner and one customer
    assert [user.email for user in users if user.check_password(LEGACY_PASSWORD)] == []
    assert all(user.check_password(password) for user in users)
    assert password != LEGACY_PASSWORD and re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)


def test_the_password_is_printed_on_the_first_run_only_and_kept_in_the_state_folder(demo, settings):
    output, _shops = demo
    password = (settings.PAWPACT_STATE_DIR / "demo-password").read_text().strip()

    assert password == demo_password()
    assert f"Demo logins (password for each: {password}, kept in " in output
    again = load_demo("--if-empty")
    assert password not in again
    assert "Demo logins (the password of each is in " in again and "demo-password)" in again


def _legacy_passwords_set(shops) -> None:
    """The demo as earlier versions left it: every login with the one published password."""
    legacy = make_password(LEGACY_PASSWORD)
    User.objects.filter(email__endswith=".localhost").update(password=legacy)
    for shop in shops.values():
        with tenant_context(shop):
            User.objects.update(password=legacy)


def test_a_demo_made_with_the_old_password_gets_a_new_one(demo, settings, tmp_path):
    _output, shops = demo
    _legacy_passwords_set(shops)
    settings.PAWPACT_STATE_DIR = tmp_path / "fresh-checkout"  # this version's first run

    output = load_demo("--if-empty")

    password = demo_password()
    assert f"Demo logins (password for each: {password}, kept in " in output
    users = _demo_users(shops)
    assert len(users) == 7
    assert [user.email for user in users if user.check_password(LEGACY_PASSWORD)] == []
    assert [user.email for user in users if not user.check_password(password)] == []


def test_the_printed_links_use_the_run_commands_port(demo, settings):
    settings.PAWPACT_URL_PORT = "8123"

    output = load_demo("--if-empty")

    assert "http://localhost:8123/console/   admin@pawpact.localhost" in output
    assert "http://happy-paws.localhost:8123/manage/   owner@happy-paws.localhost" in output
    assert "http://whisker-home.localhost:8123/my/plans/   customer@whisker-home.localhost" in output
