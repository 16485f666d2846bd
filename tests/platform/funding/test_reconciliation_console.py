"""The console's reconciliation: statements imported by upload (the provider's own file) or
fetched from the provider, mismatches filtered, exported and resolved, platform admins only."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.services.debits import period_collect
from pawpact.core.clock import default_clock
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.funding.ledger import ledger_check
from pawpact.platform.models import ReconciliationMismatch, StatementImport
from tests.conftest import SHOP_PASSWORD
from tests.payments.gateways import alipay_credentials, fake_alipay  # noqa: F401 (fixture)
from tests.payments.test_reconciliation import _alipay_contract, _today
from tests.payments.test_statement_files import alipay_bill

GHOST = "f" * 32


@pytest.fixture
def console(db):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    browser = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    browser.force_login(admin)
    browser.admin = admin
    return browser


@pytest.fixture
def paid_on_alipay(shop, fake_alipay):  # noqa: F811
    """A ¥399.00 debit paid today through the fake Alipay, with the shop's verified credentials."""
    alipay_credentials(shop, fake_alipay)
    contract = _alipay_contract(shop, fake_alipay)
    with schema_context(shop.schema_name):
        attempt = period_collect(period=contract.periods_set.order_by("number").first(), clock=default_clock)
    assert (attempt.status, attempt.amount_minor) == ("succeeded", 39_900)
    return attempt


def _upload(console, shop, content: bytes, *, capture, provider="alipay", day=None):
    with capture(execute=True):
        return console.post("/console/reconciliation/imports/", {
            "shop": shop.pk, "provider": provider, "statement_date": (day or _today()).isoformat(),
            "file": SimpleUploadedFile("bill.csv", content, content_type="text/csv"),
        })  # fmt: skip


def _open():
    return list(ReconciliationMismatch.objects.filter(resolved_at__isnull=True).order_by("kind")
                .values_list("kind", "reference", "amount_minor", "our_amount_minor"))  # fmt: skip


def test_an_uploaded_alipay_bill_is_matched_and_importing_it_again_changes_nothing(
    console, shop, paid_on_alipay, django_capture_on_commit_callbacks
):
    ours = out_trade_no(paid_on_alipay.idempotency_key)
    bill = alipay_bill(("2026000000000000000000000001", ours, "交易", "399.00", ""),
                       ("2026000000000000000000000099", GHOST, "交易", "129.00", ""))  # fmt: skip
    response = _upload(console, shop, bill, capture=django_capture_on_commit_callbacks)

    imported = StatementImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/reconciliation/imports/{imported.pk}/"
    assert (imported.status, imported.lines, imported.matched, imported.mismatches) == ("done", 2, 1, 1)
    assert (imported.filename, imported.requested_by, imported.lines_json) == ("bill.csv", console.admin, [])
    assert _open() == [("missing_here", GHOST, 12_900, 0)]
    first = ReconciliationMismatch.objects.get()
    assert (first.provider_reference, first.our_record, first.our_key) == ("2026000000000000000000000099", "", "")
    page = console.get(response["Location"]).content.decode()
    assert "Done" in page and 'http-equiv="refresh"' not in page

    again = _upload(console, shop, bill, capture=django_capture_on_commit_callbacks)
    assert again["Location"] == f"/console/reconciliation/imports/{imported.pk}/"
    assert StatementImport.objects.count() == 1
    assert list(ReconciliationMismatch.objects.values_list("pk", "first_seen_at", "resolved_at")) == [
        (first.pk, first.first_seen_at, None)
    ]
    assert "imported already" in console.get(again["Location"]).content.decode()


def test_a_malformed_file_is_refused_on_the_page_and_nothing_is_written(
    console, shop, paid_on_alipay, django_capture_on_commit_callbacks
):
    bill = alipay_bill(("2026000000000000000000000001", GHOST, "交易", "399.0x", ""))
    response = _upload(console, shop, bill, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Line 6: &#x27;399.0x&#x27; is not an amount." in response.content.decode()
    assert (StatementImport.objects.count(), ReconciliationMismatch.objects.count()) == (0, 0)
    tomorrow = _today() + timedelta(days=1)
    response = _upload(console, shop, alipay_bill(), capture=django_capture_on_commit_callbacks, day=tomorrow)
    assert response.status_code == 400 and "A statement of a future day does not exist yet." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post("/console/reconciliation/imports/", {
            "shop": shop.pk, "provider": "paypal", "statement_date": _today().isoformat()})  # fmt: skip
    assert response.status_code == 400
    assert StatementImport.objects.count() == 0


def test_a_fetched_statement_runs_as_a_task_and_a_provider_failure_is_shown(
    console, shop, paid_on_alipay, fake_alipay, django_capture_on_commit_callbacks  # noqa: F811
):
    app_id = next(iter(fake_alipay.apps))
    lost = fake_alipay.trades.pop((app_id, out_trade_no(paid_on_alipay.idempotency_key)))
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post("/console/reconciliation/imports/", {
            "shop": shop.pk, "provider": "alipay", "statement_date": _today().isoformat()})  # fmt: skip
    fetched = StatementImport.objects.get()
    assert response["Location"] == f"/console/reconciliation/imports/{fetched.pk}/"
    assert (fetched.status, fetched.filename, fetched.lines, fetched.matched, fetched.mismatches) == (
        "done", "", 0, 0, 1)  # fmt: skip
    assert _open() == [("missing_at_provider", lost["out_trade_no"], 0, 39_900)]
    missing = ReconciliationMismatch.objects.get()
    assert (missing.provider_reference, missing.our_record, missing.our_key) == (
        "", "debit", paid_on_alipay.idempotency_key)  # fmt: skip
    page = console.get(f"/console/reconciliation/mismatches/{missing.pk}/").content.decode()
    assert "Debit" in page and paid_on_alipay.idempotency_key in page
    listed = console.get("/console/reconciliation/").content.decode()
    assert "No lines on the provider's statement for that day, but our books have payments" in listed

    # WeChat Pay was never set up for this shop: the import fails with the reason, nothing else changes.
    with django_capture_on_commit_callbacks(execute=True):
        console.post("/console/reconciliation/imports/", {
            "shop": shop.pk, "provider": "wechat", "statement_date": _today().isoformat()})  # fmt: skip
    failed = StatementImport.objects.get(provider="wechat")
    assert failed.status == "failed" and failed.error and failed.finished_at is not None
    assert _open() == [("missing_at_provider", lost["out_trade_no"], 0, 39_900)]
    assert failed.error in console.get(f"/console/reconciliation/imports/{failed.pk}/").content.decode()


def test_a_failed_import_is_listed_as_failed_with_its_reason_and_the_page_never_says_all_matches(console, shop):
    day = _today() - timedelta(days=2)
    StatementImport.objects.create(shop=shop, provider="alipay", statement_date=day, status="failed",
                                   error="Alipay did not answer.")  # fmt: skip
    StatementImport.objects.create(shop=shop, provider="stripe", statement_date=day, status="done")
    page = console.get("/console/reconciliation/")
    body = page.content.decode()
    assert "Failed" in body and "Alipay did not answer." in body
    assert "Every statement matches the books" not in body
    assert "but 1 import failed: its day is not reconciled" in body
    assert "No lines on the provider's statement for that day, and our books have no payments" in body
    # Today's statement is not complete: the form offers yesterday, in China.
    yesterday = default_clock.today(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)
    assert page.context["import_form"].initial["statement_date"] == yesterday
    StatementImport.objects.filter(status="failed").delete()
    assert "Every statement matches the books" in console.get("/console/reconciliation/").content.decode()


def test_a_queued_import_shows_its_progress_and_refreshes(console, shop):
    queued = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="fetching")
    page = console.get(f"/console/reconciliation/imports/{queued.pk}/").content.decode()
    assert "Fetching from the provider" in page and '<meta http-equiv="refresh" content="2">' in page


def _mismatches(shop):
    today = _today()
    return [
        ReconciliationMismatch.objects.create(shop=shop, provider="alipay", statement_date=today - timedelta(days=10),
                                              kind="missing_here", reference="a" * 32, amount_minor=39_900,
                                              our_amount_minor=0),
        ReconciliationMismatch.objects.create(shop=shop, provider="wechat", statement_date=today - timedelta(days=1),
                                              kind="amount_differs", reference="b" * 32, amount_minor=59_800,
                                              our_amount_minor=59_900),
    ]  # fmt: skip


def test_mismatches_are_filtered_by_provider_state_and_age_and_exported(console, shop):
    _old, recent = _mismatches(shop)
    page = console.get("/console/reconciliation/").content.decode()
    assert "a" * 32 in page and "b" * 32 in page and "¥399.00" in page and "10 days" in page
    assert "b" * 32 not in console.get("/console/reconciliation/?provider=alipay").content.decode()
    assert "b" * 32 not in console.get("/console/reconciliation/?age=7").content.decode()
    assert "a" * 32 in console.get("/console/reconciliation/?age=7").content.decode()
    assert "a" * 32 not in console.get("/console/reconciliation/?state=resolved").content.decode()
    export = console.get("/console/reconciliation/?provider=wechat&export=csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = export.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert rows[1].split(",")[1:9] == ["WeChat Pay", recent.statement_date.isoformat(), "Amounts differ", "b" * 32,
                                       "598.00", "599.00", "1", "Open"]  # fmt: skip
    xlsx = console.get("/console/reconciliation/?export=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_a_mismatch_is_resolved_with_a_reason_and_a_note_and_stays_resolved(console, shop):
    old, _recent = _mismatches(shop)
    assert any("2 open reconciliation mismatch" in problem for problem in ledger_check().problems)
    url = f"/console/reconciliation/mismatches/{old.pk}/"
    assert "¥399.00" in console.get(url).content.decode()
    for bad in ({"resolution": "timing", "note": "  "}, {"resolution": "matched", "note": "x"}, {"note": "x"}):
        response = console.post(url, bad)
        assert response.status_code == 400
        old.refresh_from_db()
        assert (old.resolved_at, old.resolution, old.resolution_note, old.resolved_by) == (None, "", "", None)

    response = console.post(url, {"resolution": "provider_corrected", "note": "Alipay reversed it on 3 April."})
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.resolution, old.resolution_note, old.resolved_by) == (
        "provider_corrected", "Alipay reversed it on 3 April.", console.admin)  # fmt: skip
    assert old.resolved_at is not None
    assert any("1 open reconciliation mismatch" in problem for problem in ledger_check().problems)
    page = console.get("/console/reconciliation/?state=resolved").content.decode()
    assert "Corrected by the provider" in page and "ops@pawpact.test" in page

    again = console.post(url, {"resolution": "other", "note": "twice"})
    assert again.status_code == 409 and "This mismatch was resolved already." in again.content.decode()
    old.refresh_from_db()
    assert (old.resolution, old.resolution_note) == ("provider_corrected", "Alipay reversed it on 3 April.")
    assert console.get("/console/reconciliation/mismatches/999999/").status_code == 404


def test_a_resolution_survives_the_same_statement_imported_again(
    console, shop, paid_on_alipay, django_capture_on_commit_callbacks
):
    ours = out_trade_no(paid_on_alipay.idempotency_key)
    bill = alipay_bill(("1", ours, "交易", "399.00", ""), ("2", GHOST, "交易", "129.00", ""))
    _upload(console, shop, bill, capture=django_capture_on_commit_callbacks)
    ghost = ReconciliationMismatch.objects.get(reference=GHOST)
    console.post(f"/console/reconciliation/mismatches/{ghost.pk}/", {"resolution": "not_ours", "note": "Test order."})
    # The provider's statement fetched again still lists the ghost: the person's resolution stands.
    _upload(console, shop, bill + b"\r\n", capture=django_capture_on_commit_callbacks)
    assert StatementImport.objects.filter(status="done").count() == 2
    ghost.refresh_from_db()
    assert (ghost.resolution, ghost.resolution_note, ghost.resolved_by) == ("not_ours", "Test order.", console.admin)
    assert _open() == []


def test_reconciliation_is_for_platform_admins_only(public_client, shop, shop_client):
    mismatch, _recent = _mismatches(shop)
    imported = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today())
    paths = ["/console/reconciliation/", f"/console/reconciliation/imports/{imported.pk}/",
             f"/console/reconciliation/mismatches/{mismatch.pk}/"]  # fmt: skip
    owner = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    owner.force_login(shop.owner)
    for path in paths:
        response = public_client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert shop_client.get(path).status_code == 404
        assert owner.get(path).status_code == 403
    assert owner.post(paths[2], {"resolution": "other", "note": "mine"}).status_code == 403
    assert owner.post("/console/reconciliation/imports/", {"shop": shop.pk, "provider": "alipay",
                                                           "statement_date": _today().isoformat()}).status_code == 403
    mismatch.refresh_from_db()
    assert (mismatch.resolved_at, StatementImport.objects.count()) == (None, 1)
