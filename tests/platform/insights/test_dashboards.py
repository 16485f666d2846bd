"""The shop owner's KPI dashboard (shop domain) and the platform's insights console
(public site): what each shows, to whom, and that a shop never sees another shop."""
import re
from datetime import date

import pytest
from django.test import Client

from pawpact.platform.kpis.benchmarks import kpi_benchmarks_compute
from pawpact.platform.models import ShopRiskChange, ShopRiskOverride
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from tests.conftest import host_of
from tests.platform.insights.conftest import FEBRUARY, MARCH, NOW, shop_browser

OTHER_SHOPS_VALUES = ["91.23%", "93.77%", "96.41%", "99.11%", "99.99%", "0.9123", "0.9377", "0.9641", "0.9911",
                      "0.9999", "1.10%", "2.30%", "3.70%", "5.30%", "6.10%", "0.011", "0.023", "0.037", "0.053",
                      "0.061"]  # fmt: skip


@pytest.fixture
def benchmarked(peers, clock, time_machine):
    time_machine.move_to(NOW, tick=False)
    for month in (FEBRUARY, MARCH):
        kpi_benchmarks_compute(month=month, clock=clock)
    return peers


def test_the_shop_dashboard_shows_its_values_the_quartiles_and_the_targets(shop, benchmarked):
    response = shop_browser(shop, is_staff=True).get("/insights/")

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["month"] == MARCH
    success = re.search(r'<tr data-kpi="debit_success_rate">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', success)
    assert cells == ["98.00%", "94.43%", "97.21%", "98.83%", "≥ 98.00%"]
    assert "On target" in success and "Q3" in success and "6 shops" in success
    overdue = re.search(r'<tr data-kpi="overdue_rate">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', overdue) == ["4.00%", "2.65%", "3.85%", "4.98%", "≤ 3.00%"]
    assert "Below target" in overdue
    assert page.count("<svg") == 9  # one 12-month chart per KPI
    assert page.count('class="target"') == 7  # a target line on each KPI that has one
    assert page.count('class="band"') == 5  # the KPIs with a benchmark (renewal, bad debt, complaints, LTV: none)
    assert page.count('class="series"') == 5 + 5  # own line and median line for the KPIs with values


def test_the_shop_page_names_no_other_shop_and_shows_no_other_value(shop, other_shop, benchmarked):
    peer = benchmarked["peer-001"]
    browser = shop_browser(shop, is_staff=True)

    for path in ("/insights/", f"/insights/?shop={peer.pk}", f"/insights/?shop_id={other_shop.pk}&month=2026-03"):
        page = browser.get(path).content.decode()
        assert "Alpha Pets" in page and "98.00%" in page, path
        for leak in ["Zeta Rival", "peer-00", "Beta Pets", "beta.localhost", *OTHER_SHOPS_VALUES]:
            assert leak not in page, (path, leak)


def test_the_shop_dashboard_is_for_its_staff_only(shop, benchmarked):
    assert Client(HTTP_HOST=host_of(shop)).get("/insights/").status_code == 302
    # A logged-in customer is refused with the 403 page; sending them to log in would loop.
    for path in ("/insights/", "/insights/reports/"):
        customer = shop_browser(shop, is_staff=False).get(path)
        assert customer.status_code == 403
        assert "/login/" not in customer.get("Location", "")


def test_a_shop_without_facts_gets_an_empty_dashboard(other_shop, time_machine):
    time_machine.move_to(NOW, tick=False)
    response = shop_browser(other_shop, is_staff=True).get("/insights/?month=garbage")
    assert response.status_code == 200
    assert response.context["month"] == date(2026, 4, 1)
    assert response.content.decode().count("<svg") == 9


# --- the platform console -----------------------------------------------------------------


@pytest.fixture
def console(public_client, platform_admin):
    public_client.force_login(platform_admin)
    return public_client


def test_the_platform_dashboard_shows_the_portfolio(console, shop, other_shop, funding, benchmarked):
    Shop.objects.filter(pk=other_shop.pk).update(risk_state=ShopRiskState.BLOCKED_NEW_SIGNINGS)

    response = console.get("/console/insights/")

    assert response.status_code == 200
    portfolio = response.context["portfolio"]
    assert (portfolio.advances_outstanding_minor, portfolio.advances_due_minor, portfolio.collections_minor) == (
        70_000, 50_000, 30_000)  # fmt: skip
    assert (portfolio.payouts_paid_minor, portfolio.payouts_paid_count, portfolio.ledger_total_minor) == (100_000, 1, 0)
    # alpha, beta and five peers are active: six healthy, beta blocked.
    assert portfolio.risk_counts == {"healthy": 6, "watch": 0, "blocked_new_signings": 1}
    page = response.content.decode()
    for expected in ("¥700.00", "¥500.00", "¥300.00", "¥1,000.00", "Shops by risk state", "Beta Pets"):
        assert expected in page, expected
    assert page.count('class="bar"') == 3 and page.count("<svg") == 3


def test_the_console_ranks_every_shop_by_name(console, benchmarked):
    response = console.get("/console/insights/ranking/?kpi=debit_success_rate&month=2026-03")
    page = response.content.decode()
    names = re.findall(r"<td><a href=\"/console/insights/shops/\d+/\">([^<]+)</a></td>", page)
    assert names == ["Zeta Rival 5", "Zeta Rival 4", "Alpha Pets", "Zeta Rival 3", "Zeta Rival 2", "Zeta Rival 1"]
    assert "99.99%" in page and "Quartiles over 6 shops" in page


def test_the_console_is_for_platform_staff_only(public_client, shop):
    for path in ("/console/insights/", "/console/insights/ranking/", f"/console/insights/shops/{shop.pk}/",
                 "/console/insights/reports/"):  # fmt: skip
        assert public_client.get(path).status_code == 302
    owner = Client(HTTP_HOST="localhost")
    owner.force_login(shop.owner)  # a shop owner is a public user, not platform staff
    assert owner.get("/console/insights/").status_code == 403
    assert Client(HTTP_HOST=host_of(shop)).get("/console/insights/").status_code == 404


def test_an_override_from_the_console_needs_a_reason(console, shop, platform_admin):
    path = f"/console/insights/shops/{shop.pk}/"
    refused = console.post(path, {"action": "set", "state": "blocked_new_signings", "reason": "  "})

    assert refused.status_code == 400
    assert "Give a reason" in refused.content.decode()
    assert not ShopRiskOverride.objects.exists() and not ShopRiskChange.objects.exists()

    done = console.post(path, {"action": "set", "state": "blocked_new_signings", "reason": "Fraud inquiry"})
    assert done.status_code == 302
    shop.refresh_from_db()
    assert shop.risk_state == ShopRiskState.BLOCKED_NEW_SIGNINGS
    page = console.get(path).content.decode()
    assert "Fraud inquiry" in page and "ops@pawpact.test" in page

    console.post(path, {"action": "lift", "reason": "Inquiry closed"})
    shop.refresh_from_db()
    assert shop.risk_state == ShopRiskState.HEALTHY
    assert ShopRiskChange.objects.filter(shop=shop).count() == 2


def test_an_unknown_shop_is_404(console):
    assert console.get("/console/insights/shops/999999/").status_code == 404


