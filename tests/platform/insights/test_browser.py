"""The dashboards in a real browser: Debian's chromium driven by Playwright (tests/browser.py).

The browser navigates to the real addresses (http://alpha.localhost/insights/,
http://localhost/console/insights/) and is answered with this test's pages.
Screenshots go to the test's tmp dir, or to $PAWPACT_SCREENSHOT_DIR.
"""
import pytest
from django.test import Client

from pawpact.core.months import month_add
from pawpact.platform.kpis.benchmarks import kpi_benchmarks_compute
from pawpact.tenants.enums import ShopRiskState
from pawpact.tenants.models import Shop
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import host_of
from tests.platform.insights.conftest import MARCH, NOW, kpi_row, peer_shop, shop_browser

pytestmark = browser_marks


@pytest.fixture
def year_of_facts(shop, other_shop, time_machine):
    """Twelve months of facts for alpha and five peers, and their benchmarks."""
    time_machine.move_to(NOW, tick=False)
    shops = [shop] + [peer_shop(index, name=f"Zeta Rival {index}") for index in range(1, 6)]
    for offset in range(12):
        month = month_add(MARCH, offset - 11)
        for rank, one in enumerate(shops):
            wobble = (offset * 7 + rank * 3) % 10
            kpi_row(one, month, debits_attempted=1000, debits_succeeded=955 + wobble * 4 + rank,
                    renewals_due=40, renewals=18 + wobble + rank, active_contracts=1000,
                    overdue_contracts=12 + wobble * 3 + rank * 4, receivable_minor=10_000_000,
                    bad_debt_minor=40_000 + wobble * 9_000 + rank * 5_000, customers=600, complaints=4 + wobble + rank,
                    signings=20 + offset + rank * 3, plan_revenue_minor=(20 + offset + rank * 3) * 50_900,
                    total_revenue_minor=(20 + offset + rank * 3) * 50_900 + 900_000 + rank * 100_000,
                    plan_customer_ltv_minor=600_000 + wobble * 20_000, ordinary_customer_ltv_minor=260_000 + rank * 15_000)  # fmt: skip
        kpi_benchmarks_compute(month=month)
    Shop.objects.filter(pk=shops[3].pk).update(risk_state=ShopRiskState.WATCH)
    Shop.objects.filter(pk=shops[5].pk).update(risk_state=ShopRiskState.BLOCKED_NEW_SIGNINGS)
    return shops


def test_both_dashboards_render_their_charts_in_chromium(shop, year_of_facts, funding, platform_admin, tmp_path):
    owner = shop_browser(shop, is_staff=True)
    console = Client(HTTP_HOST="localhost")
    console.force_login(platform_admin)
    shop_url = f"http://{host_of(shop)}/insights/?month=2026-03"
    console_url = "http://localhost/console/insights/"
    shop_page, console_page = fetch(owner, shop_url), fetch(console, console_url)

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page_open(page, shop_url, shop_page)
        assert page.title() == "KPIs · Alpha Pets"
        charts = page.locator("svg.chart")
        assert charts.count() == 9
        for index in range(9):
            box = charts.nth(index).bounding_box()
            assert box["width"] > 400 and box["height"] > 200
        assert page.locator("svg.chart line.target").count() == 7
        assert page.locator("svg.chart polyline.series").count() == 18  # own and median, every KPI
        assert "Zeta" not in page.content()
        assert screenshot(page, tmp_path, "insights-shop.png").stat().st_size > 20_000

        page = browser.new_page(viewport={"width": 1240, "height": 900})
        page_open(page, console_url, console_page)
        assert page.locator("svg.chart").count() == 3
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() == 3
        widths = [bars.nth(i).bounding_box()["width"] for i in range(3)]
        assert widths[0] > widths[1] >= 1 and widths[2] >= 1  # 5 healthy, 1 watch, 1 blocked
        assert page.get_by_text("Zeta Rival 5").count() >= 1  # platform staff see the shops
        assert screenshot(page, tmp_path, "insights-console.png").stat().st_size > 20_000
