"""Console pages (funding, outbox lag) and the shop owner's settlements page."""
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.core.clock import FixedClock
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.terms import funding_terms_set
from pawpact.platform.models import Advance, FundingTerms, Payout, PayoutAccount
from tests.conftest import SHOP_PASSWORD, host_of
from tests.platform.funding.conftest import NOW, drain, emit, paid, signed


@pytest.fixture
def console(db):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    browser = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    browser.force_login(admin)
    return browser


def _browser_in_shop(shop, *, superuser: bool) -> Client:
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):  # sessions and users live in the shop's schema
        if superuser:
            user = User.objects.get(email=shop.owner.email)
        else:
            user = User.objects.create_user(f"clerk@{shop.slug}.test", SHOP_PASSWORD, is_staff=True)
        browser.force_login(user)
    return browser


@pytest.fixture
def settled(shop, other_shop, clock):
    funding_terms_set(shop=shop, advance_rate=Decimal("0.9"), fee_minor=1_000, recourse_rule="full")
    emit(shop, signed(uuid.UUID(int=21)), paid(uuid.UUID(int=21), 1))
    drain(shop, clock)
    emit(other_shop, signed(uuid.UUID(int=22)))
    drain(other_shop, clock)
    clock.advance(timedelta(days=7))
    settlement_run(clock=clock)
    return {"alpha": Payout.objects.get(shop=shop), "beta": Payout.objects.get(shop=other_shop)}


def test_the_shops_page_and_the_outbox_page_show_the_lag(console, shop, other_shop, clock, time_machine):
    from pawpact.platform.drain import outbox_drain_shop

    emit(shop, signed(uuid.uuid4()), paid(uuid.uuid4(), 1), paid(uuid.uuid4(), 2), at=NOW - timedelta(minutes=2))
    with schema_context(shop.schema_name):
        outbox_drain_shop(shop=shop, batch_size=1, max_batches=1, clock=clock)  # 2 left waiting
    time_machine.move_to(NOW, tick=False)

    page = console.get("/console/")
    assert page.status_code == 200
    lag = {row.shop_id: row for row in page.context["outbox_lag"]}
    assert (lag[shop.pk].pending_count, lag[shop.pk].pending_age_seconds, lag[shop.pk].unapplied) == (2, 120, 1)
    assert "2 waiting, oldest 120 s" in page.content.decode()

    outbox = console.get("/console/outbox/")
    assert [row.shop_slug for row in outbox.context["rows"]] == ["alpha", "beta"]  # most waiting first
    html = outbox.content.decode()
    assert "120 s" in html and "never" in html


def test_the_funding_pages(console, shop, settled):
    overview = console.get("/console/funding/")
    assert overview.status_code == 200
    html = overview.content.decode()
    assert "¥4,299.20" in html and "¥4,309.20" in html  # alpha (0.9, fee ¥10) and beta (defaults)

    page = console.get(f"/console/funding/shops/{shop.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert str(uuid.UUID(int=21)) in html and str(uuid.UUID(int=22)) not in html
    assert f"/console/funding/payouts/{settled['alpha'].pk}/statement.csv" in html

    statement = console.get(f"/console/funding/payouts/{settled['alpha'].pk}/statement.csv")
    assert statement.status_code == 200
    assert statement.content.decode().splitlines()[-1] == "total,,2026-03-23,net_payout,,,,4299.20,CNY"
    assert console.get(f"/console/funding/payouts/{settled['beta'].pk}/statement.pdf").content[:4] == b"%PDF"
    assert console.get("/console/funding/payouts/999999/statement.csv").status_code == 404


def test_terms_are_edited_on_the_console_and_bad_ones_are_refused(console, shop):
    url = f"/console/funding/shops/{shop.pk}/"
    bad = console.post(url, {"advance_rate": "1.5", "fee": "0", "recourse_rule": "full",
                             "settlement_delay_days": "7"})  # fmt: skip
    assert bad.status_code == 400
    assert "The advance rate must be more than 0 and at most 1." in bad.content.decode()
    assert FundingTerms.objects.count() == 0

    comma = console.post(url, {"advance_rate": "0.88", "fee": "8,00", "recourse_rule": "pro_rata",
                               "settlement_delay_days": "10"})  # fmt: skip
    assert comma.status_code == 400 and "a comma only separates thousands" in comma.content.decode()
    assert FundingTerms.objects.count() == 0
    page = console.get(url).content.decode()
    assert "Fee per contract (¥)" in page and "(fen)" not in page
    good = console.post(url, {"advance_rate": "0.88", "fee": "8.00", "recourse_rule": "pro_rata",
                              "settlement_delay_days": "10"})  # fmt: skip
    assert (good.status_code, good["Location"]) == (302, url)
    row = FundingTerms.objects.get(shop=shop)
    assert (row.advance_rate, row.fee_minor, row.recourse_rule, row.settlement_delay_days) == (
        Decimal("0.88"), 800, "pro_rata", 10,
    )  # fmt: skip


def test_the_settlement_button_runs_todays_settlement_once(console, shop, clock, time_machine):
    emit(shop, signed(uuid.uuid4()))
    drain(shop, clock)
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    first = console.post("/console/funding/settlement-run/", follow=True)
    console.post("/console/funding/settlement-run/")
    assert Payout.objects.count() == 1
    assert "1 payout(s) created, 1 paid (¥4,309.20), 0 failed" in [str(m) for m in first.context["messages"]][0]


def test_funding_pages_are_for_platform_staff_only(public_client, shop, shop_client):
    for path in ("/console/funding/", f"/console/funding/shops/{shop.pk}/", "/console/outbox/"):
        response = public_client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert shop_client.get(path).status_code == 404  # not served on shop hosts
    owner = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    owner.force_login(shop.owner)
    assert owner.get("/console/funding/").status_code == 403  # logged in, not platform staff


def test_the_owner_downloads_their_own_statements_on_the_shops_domain(shop, settled):
    browser = _browser_in_shop(shop, superuser=True)
    page = browser.get("/settlements/")
    assert page.status_code == 200
    assert list(page.context["payouts"]) == [settled["alpha"]]  # never beta's
    assert "¥4,299.20" in page.content.decode()

    csv = browser.get(f"/settlements/{settled['alpha'].pk}/statement.csv")
    assert csv.status_code == 200
    assert csv.content.decode().splitlines()[1].startswith(f"advance,{uuid.UUID(int=21)},2026-03-16,")
    assert browser.get(f"/settlements/{settled['alpha'].pk}/statement.pdf").content[:4] == b"%PDF"
    assert browser.get(f"/settlements/{settled['beta'].pk}/statement.csv").status_code == 404  # another shop's


def test_only_the_shops_administrator_sees_its_settlements(shop, settled):
    clerk = _browser_in_shop(shop, superuser=False)
    assert clerk.get("/settlements/").status_code == 403
    assert clerk.get(f"/settlements/{settled['alpha'].pk}/statement.csv").status_code == 403
    anonymous = Client(HTTP_HOST=host_of(shop)).get("/settlements/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN).get("/settlements/").status_code == 404


def test_advances_not_yet_due_are_announced_with_their_day_never_as_due(shop):
    now = datetime.now(UTC)
    emit(shop, signed(uuid.uuid4(), signed_at=now))
    drain(shop, FixedClock(now))
    advance = Advance.objects.get(shop=shop)
    assert advance.payable_on > date.today()  # seven days after signing
    owner = _browser_in_shop(shop, superuser=True).get("/settlements/")
    body = owner.content.decode()
    assert f"1 advance (¥4,309.20) will be paid from {advance.payable_on:%Y-%m-%d}" in body
    assert "is due" not in body and "are due" not in body
    assert "Pending (not yet due)" in body and "Due, waiting to be paid" not in body
    assert '<option value="alipay_receiver" selected>' in body  # a shop paid in yuan is offered Alipay first
    summary = owner.context["summary"]
    assert (summary.advances_due, summary.advances_not_due, summary.first_payable_on) == (0, 1, advance.payable_on)


def test_due_advances_without_a_verified_payout_account_are_flagged_to_owner_and_console(console, shop, other_shop, clock):
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    emit(shop, signed(mine))
    drain(shop, clock)
    emit(other_shop, signed(theirs))
    drain(other_shop, clock)
    owner = _browser_in_shop(shop, superuser=True).get("/settlements/")
    body = owner.content.decode()
    # One row per contract, this shop's only, by a short reference rather than a raw UUID.
    assert [a.contract_uuid for a in owner.context["advances"]] == [mine]
    assert f"Contract {mine.hex[:8]}" in body and theirs.hex[:8] not in body
    assert "1 advance (¥4,309.20) is due, but there is no verified payout account" in body
    assert "Due, waiting to be paid" in body and "Pending (not yet due)" not in body  # the row agrees with the box
    assert "No payout account yet." in body and "last brought up to date at" in body
    page = console.get(f"/console/funding/shops/{shop.pk}/").content.decode()
    assert "there is no verified payout account" in page and f"/console/shops/{shop.pk}/money/" in page
    PayoutAccount.objects.create(shop=shop, kind="alipay_receiver", account_ref="2088000000000001",
                                 holder_name="Alpha Pets Ltd", status="verified")  # fmt: skip
    page = console.get(f"/console/funding/shops/{shop.pk}/").content.decode()
    assert "there is no verified payout account" not in page and "2088000000000001" in page
