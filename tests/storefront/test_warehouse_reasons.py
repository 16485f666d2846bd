"""Why a warehouse check or a catalog import failed, worded in the language of whoever reads
it (not of the admin who ran it): signature refused, unreachable, timeout; a refused import
says so in its progress area and can be retried once the credentials are fixed."""
import pytest

from pawpact.warehouses import client as warehouse_client
from pawpact.warehouses.models import CatalogImport, Warehouse, WarehouseSku
from tests.storefront.conftest import SECRET
from tests.storefront.test_warehouse_onboarding import _register, console  # noqa: F401

REFUSED_EN = "The warehouse refused our signature: check the key id and the shared secret."
REFUSED_ZH = "仓库拒绝了我们的签名：请核对密钥 ID 和共享密钥。"


def _warehouse(console, sandbox_warehouse, **overrides) -> Warehouse:  # noqa: F811
    sandbox_warehouse.faults(down=False, slow_seconds=0, drop_callbacks=False)
    _register(console, sandbox_warehouse, **overrides)
    return Warehouse.objects.get(code="east")


def test_a_refused_check_is_kept_as_a_code_and_worded_for_each_viewer(console, sandbox_warehouse):  # noqa: F811
    warehouse = _warehouse(console, sandbox_warehouse, secret="a-wrong-secret-of-enough-length")
    checked = console.post(f"/console/warehouses/{warehouse.pk}/check/", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    assert REFUSED_ZH in checked.content.decode()  # told at once, in the checker's language
    warehouse.refresh_from_db()
    assert (warehouse.last_check_ok, warehouse.last_check_code, warehouse.last_check_params) == (False, "signature_refused", {})
    assert warehouse.last_check_message == ""  # no words stored in the checker's language
    english = console.get(f"/console/warehouses/{warehouse.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = console.get(f"/console/warehouses/{warehouse.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert REFUSED_EN in english and REFUSED_ZH not in english
    assert REFUSED_ZH in chinese and REFUSED_EN not in chinese


def test_a_passing_check_keeps_its_count_and_words_it_in_either_language(console, sandbox_warehouse, relay):  # noqa: F811
    warehouse = _warehouse(console, sandbox_warehouse)
    console.post(f"/console/warehouses/{warehouse.pk}/check/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    warehouse.refresh_from_db()
    assert (warehouse.last_check_ok, warehouse.last_check_code, warehouse.last_check_params) == (True, "passed", {"skus": 1470, "sandbox": True})
    chinese = console.get(f"/console/warehouses/{warehouse.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "连接正常，签名已通过；共 1470 个商品编码。" in chinese


def test_unreachable_and_timeout_are_told_apart(console, sandbox_warehouse, monkeypatch):  # noqa: F811
    _register(console, sandbox_warehouse, base_url="http://127.0.0.1:9", code="gone", name="Gone")
    gone = Warehouse.objects.get(code="gone")
    console.post(f"/console/warehouses/{gone.pk}/check/", follow=True)
    gone.refresh_from_db()
    assert (gone.last_check_ok, gone.last_check_code, gone.last_check_params) == (False, "unreachable", {"error": "ConnectionError"})
    assert "The warehouse could not be reached: ConnectionError" in console.get(f"/console/warehouses/{gone.pk}/").content.decode()
    slow = _warehouse(console, sandbox_warehouse)
    monkeypatch.setattr(warehouse_client, "TIMEOUT", (3.05, 0.3))
    sandbox_warehouse.faults(slow_seconds=1)
    try:
        console.post(f"/console/warehouses/{slow.pk}/check/", follow=True)
    finally:
        sandbox_warehouse.faults(slow_seconds=0)
    slow.refresh_from_db()
    assert (slow.last_check_ok, slow.last_check_code) == (False, "timeout")
    chinese = console.get(f"/console/warehouses/{slow.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "仓库未在时限内应答（超时）。" in chinese


@pytest.mark.parametrize("language, failed, reason", [
    ("en", "The import failed:", REFUSED_EN),
    ("zh-hans", "导入失败：", REFUSED_ZH),
])  # fmt: skip
def test_an_import_refused_by_the_warehouse_says_why_and_can_be_retried(console, sandbox_warehouse, relay, language,  # noqa: F811
                                                                         failed, reason):  # fmt: skip
    warehouse = _warehouse(console, sandbox_warehouse, secret="a-wrong-secret-of-enough-length")
    console.post(f"/console/warehouses/{warehouse.pk}/import/", HTTP_ACCEPT_LANGUAGE="zh-hans" if language == "en" else "en")
    run = CatalogImport.objects.get(warehouse=warehouse)
    assert (run.status, run.items, run.error_code) == ("failed", 0, "signature_refused")
    assert WarehouseSku.objects.filter(warehouse=warehouse).count() == 0
    warehouse.refresh_from_db()
    assert warehouse.status == "onboarding"
    progress = console.get(f"/console/warehouses/{warehouse.pk}/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert failed in progress and reason in progress and "hx-trigger" not in progress
    page = console.get(f"/console/warehouses/{warehouse.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert reason in page and ("Retry the import" if language == "en" else "重新导入") in page
    console.post(f"/console/warehouses/{warehouse.pk}/", {"base_url": sandbox_warehouse.url, "key_id": "sandbox", "secret": SECRET})
    console.post(f"/console/warehouses/{warehouse.pk}/import/")
    retried = CatalogImport.objects.filter(warehouse=warehouse).first()
    assert retried.pk != run.pk and (retried.status, retried.items, retried.error_code) == ("done", 1470, "")
    warehouse.refresh_from_db()
    assert warehouse.status == "active" and WarehouseSku.objects.filter(warehouse=warehouse).count() == 1470


def test_an_import_that_fails_midway_keeps_the_code_of_what_went_wrong(console, sandbox_warehouse, relay):  # noqa: F811
    from pawpact.warehouses.services import catalog_import_run, catalog_import_start

    warehouse = _warehouse(console, sandbox_warehouse)
    sandbox_warehouse.faults(down=True)
    try:
        run = catalog_import_run(run=catalog_import_start(warehouse=warehouse))
    finally:
        sandbox_warehouse.faults(down=False)
    assert (run.status, run.error_code, run.error_params) == ("failed", "server_error", {"status": 503})
    progress = console.get(f"/console/warehouses/{warehouse.pk}/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The warehouse is not answering for now (HTTP 503)." in progress
