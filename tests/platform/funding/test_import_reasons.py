"""A failed statement import's reason is worded in the viewer's language, whatever the
language of the admin who asked for it, and says where the missing credentials are set."""

from django.utils import translation

from pawpact.platform.models import StatementImport
from tests.payments.test_reconciliation import _today
from tests.platform.funding.test_reconciliation_console import console  # noqa: F401 (fixture)


def test_a_missing_credentials_reason_is_shown_in_the_viewers_language_with_where_to_set_them(
    console, shop, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        console.post("/console/reconciliation/imports/", {"shop": shop.pk, "provider": "alipay",
                     "statement_date": _today().isoformat()}, HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    failed = StatementImport.objects.get()
    assert (failed.status, failed.error_code, failed.lines) == ("failed", "credentials_missing", 0)
    url = f"/console/reconciliation/imports/{failed.pk}/"
    english = console.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The shop has no verified Alipay credentials for test mode." in english
    assert f'href="/console/shops/{shop.pk}/money/"' in english and "shop's money page" in english
    with translation.override("zh-hans"):
        chinese_reason = translation.gettext("The shop has no verified %(provider)s credentials for %(mode)s.") % {
            "provider": translation.gettext("Alipay"), "mode": translation.gettext("test mode")}  # fmt: skip
    assert chinese_reason not in english
    assert chinese_reason in console.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_a_providers_own_answer_is_shown_as_recorded(console, shop):  # noqa: F811
    row = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="failed",
                                         error="ACQ.SYSTEM_ERROR: busy", error_code="provider_refused")  # fmt: skip
    page = console.get(f"/console/reconciliation/imports/{row.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ACQ.SYSTEM_ERROR: busy" in page and "money page" not in page


def test_a_bad_statement_file_is_named_once_under_the_file_field(console, shop):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = console.post("/console/reconciliation/imports/", {
        "shop": shop.pk, "provider": "alipay", "statement_date": _today().isoformat(),
        "file": SimpleUploadedFile("bill.csv", b"not,a,bill\n1,2,3\n", content_type="text/csv"),
    }, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400 and StatementImport.objects.count() == 0
    form = body[body.index('name="statement_date"'):]
    file_input = form.index('name="file"')
    errors = [index for index in range(len(form)) if form.startswith('class="errorlist', index)]
    assert len(errors) == 1 and errors[0] > file_input  # once, after the file input, not by the date
