"""Monthly KPI reports: CSV and XLSX, kept once, emailed once, downloadable by the shop."""
import csv
import io
from datetime import UTC, datetime
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from openpyxl import load_workbook

from pawpact.core.clock import FixedClock
from pawpact.core.errors import ValidationFailed
from pawpact.platform.kpis.facts import kpi_facts_compute
from pawpact.platform.kpis.reports import monthly_report_email, monthly_report_generate, portfolio_report_generate
from pawpact.platform.models import MonthlyReport, ShopMonthlyKpi
from pawpact.platform.tasks import monthly_reports_task
from tests.conftest import host_of
from tests.platform.insights.conftest import MARCH, at, shop_browser, sign

# 03:00 on 1 April 2026 in Beijing: the scheduled run.
FIRST_OF_APRIL = datetime(2026, 3, 31, 19, 0, tzinfo=UTC)


@pytest.fixture
def april_first(time_machine) -> FixedClock:
    time_machine.move_to(FIRST_OF_APRIL, tick=False)
    return FixedClock(FIRST_OF_APRIL)


@pytest.fixture
def seed_month(shop):
    for index, plan in enumerate(["basic"] * 18 + ["advanced"] * 9 + ["premium"] * 3):
        sign(shop, at(1 + index % 28), plan=plan)


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(bytes(data).decode("utf-8"))))


def test_the_report_holds_the_months_kpis_as_csv_and_xlsx(shop, seed_month, april_first):
    report = monthly_report_generate(shop=shop, month=MARCH, clock=april_first)

    rows = {row["kpi"]: row for row in csv_rows(report.csv)}
    assert list(rows) == ["debit_success_rate", "renewal_rate", "overdue_rate", "bad_debt_rate", "complaint_rate",
                          "plan_revenue_share", "ltv_ratio", "signings", "plan_revenue"]  # fmt: skip
    assert rows["signings"] == {
        "shop": "alpha", "month": "2026-03", "kpi": "signings", "label": "Signings", "value": "30", "display": "30",
        "target": "", "target_met": "", "peer_p25": "", "peer_median": "", "peer_p75": "", "peer_shops": "",
    }  # fmt: skip
    assert (rows["plan_revenue"]["value"], rows["plan_revenue"]["display"]) == ("1527000", "¥15,270.00")
    assert (rows["debit_success_rate"]["value"], rows["debit_success_rate"]["target"],
            rows["debit_success_rate"]["target_met"]) == ("1.000000", "≥ 98.00%", "True")  # fmt: skip
    workbook = load_workbook(io.BytesIO(bytes(report.xlsx)))
    assert workbook.sheetnames == ["KPIs", "Facts"]
    kpis = list(workbook["KPIs"].iter_rows(values_only=True))
    assert kpis[0][:5] == ("shop", "month", "kpi", "label", "value") and len(kpis) == 10
    facts = dict(list(workbook["Facts"].iter_rows(values_only=True))[1:])
    assert (facts["signings"], facts["plan_revenue_minor"], facts["active_contracts"]) == (30, 1_527_000, 30)


def test_facts_taken_during_the_month_are_recomputed_for_the_report(shop, april_first):
    sign(shop, at(3))
    kpi_facts_compute(shop=shop, month=MARCH, clock=FixedClock(datetime(2026, 3, 10, tzinfo=UTC)))
    sign(shop, at(25))

    report = monthly_report_generate(shop=shop, month=MARCH, clock=april_first)

    assert {row["kpi"]: row["value"] for row in csv_rows(report.csv)}["signings"] == "2"
    assert ShopMonthlyKpi.objects.get(shop=shop, month=MARCH).computed_at == april_first.now()


def test_a_month_not_over_has_no_report(shop):
    with pytest.raises(ValidationFailed):
        monthly_report_generate(shop=shop, month=MARCH, clock=FixedClock(datetime(2026, 3, 31, 15, 0, tzinfo=UTC)))
    assert not MonthlyReport.objects.exists()


def test_the_run_twice_makes_one_report_per_shop_and_sends_one_email_each(shop, other_shop, seed_month, april_first):
    monthly_reports_task.delay()
    monthly_reports_task.delay()

    assert MonthlyReport.objects.filter(month=MARCH, shop__isnull=False).count() == 2
    assert MonthlyReport.objects.filter(month=MARCH, shop__isnull=True).count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["owner@alpha.test", "owner@beta.test"]
    message = next(m for m in mail.outbox if m.to == ["owner@alpha.test"])
    assert message.subject == "Your KPI report for 2026-03 · Alpha Pets"
    assert [(name, kind) for name, _content, kind in message.attachments] == [
        ("pawpact-kpis-alpha-2026-03.csv", "text/csv"),
        ("pawpact-kpis-alpha-2026-03.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]
    assert MonthlyReport.objects.get(shop=shop, month=MARCH).emailed_at == april_first.now()


def test_a_failed_email_is_sent_on_the_next_run(shop, seed_month, april_first, monkeypatch):
    report = monthly_report_generate(shop=shop, month=MARCH, clock=april_first)

    def refuse(self, fail_silently=False):
        raise SMTPException("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        with pytest.raises(SMTPException):
            monthly_report_email(report_id=report.pk, clock=april_first)
    report.refresh_from_db()
    assert report.emailed_at is None and len(mail.outbox) == 0

    assert monthly_report_email(report_id=report.pk, clock=april_first) is True
    assert monthly_report_email(report_id=report.pk, clock=april_first) is False
    assert len(mail.outbox) == 1


def test_the_portfolio_report_has_a_row_per_shop(shop, other_shop, seed_month, april_first):
    for one in (shop, other_shop):
        kpi_facts_compute(shop=one, month=MARCH, clock=april_first)

    report = portfolio_report_generate(month=MARCH, clock=april_first)

    rows = csv_rows(report.csv)
    assert [(row["slug"], row["signings"], row["plan_revenue"]) for row in rows] == [
        ("alpha", "30", "1527000"), ("beta", "no data", "no data")]  # fmt: skip
    assert report.shop is None and report.emailed_at is None


def test_the_shop_downloads_its_own_reports_only(shop, other_shop, seed_month, april_first, platform_admin):
    monthly_report_generate(shop=shop, month=MARCH, clock=april_first)
    portfolio_report_generate(month=MARCH, clock=april_first)
    staff = shop_browser(shop, is_staff=True)

    listing = staff.get("/insights/reports/").content.decode()
    assert "2026-03" in listing and "/insights/reports/2026-03.xlsx" in listing
    download = staff.get("/insights/reports/2026-03.csv")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    assert 'filename="pawpact-kpis-alpha-2026-03.csv"' in download["Content-Disposition"]
    assert csv_rows(download.content)[0]["shop"] == "alpha"

    other = shop_browser(other_shop, is_staff=True)
    assert other.get("/insights/reports/2026-03.csv").status_code == 404  # beta has none; alpha's is not reachable
    assert "2026-03" not in other.get("/insights/reports/").content.decode()
    assert shop_browser(shop, is_staff=False).get("/insights/reports/2026-03.csv").status_code == 403
    assert Client(HTTP_HOST=host_of(shop)).get("/insights/reports/").status_code == 302

    console = Client(HTTP_HOST="localhost")
    console.force_login(platform_admin)
    assert "2026-03" in console.get("/console/insights/reports/").content.decode()
    portfolio = console.get("/console/insights/reports/2026-03.xlsx")
    assert portfolio.status_code == 200
    assert load_workbook(io.BytesIO(portfolio.content)).sheetnames == ["Portfolio"]
