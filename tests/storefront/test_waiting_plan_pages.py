"""A plan whose customer signed WeChat Pay auto-debit waits for WeChat's pre-debit notices:
the done page, My plans, the staff signing and contract pages and both lists (compactly:
each debit's day and amount, then the start day) all say when
the deposit and the first month are debited and when the plan starts, the same days in
English and Chinese, and nothing pretends the money is already taken."""
import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django_tenants.utils import schema_context

from pawpact.customers.services import customer_account_create
from pawpact.storefront.signing_views import SESSION_KEY
from tests.billing.signing.test_activation_schedule import _beijing
from tests.billing.signing.test_queued_activation import SIGNED_AT, _agreement_signed, _run, shop_wechat  # noqa: F401
from tests.payments.gateways import fake_wechat  # noqa: F401  (fixture)
from tests.workspace.conftest import client_for, owner_client  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
# Every page puts the sentence after a colon, so English starts it in lower case.
EN = ("deposit ¥500.00 will be debited on 2026-12-02, the first month ¥399.00 on 2026-12-03;"
      " the plan starts on 2026-12-03.")
ZH = "押金 ¥500.00 将于 2026-12-02 扣款，首期 ¥399.00 将于 2026-12-03 扣款，套餐自 2026-12-03 生效。"
# A list row's next-debit cell: every debit that starts the plan, then the start day.
ROW_EN = ('<span class="ws-nowrap" data-next-debit="2026-12-02">2026-12-02 <span class="muted">Deposit ¥500.00</span>'
          '</span><br><span class="ws-nowrap">2026-12-03 <span class="muted">First month ¥399.00</span></span><br>'
          '<span class="ws-nowrap muted" data-starts-on="2026-12-03">Plan starts on 2026-12-03</span>')
ROW_ZH = ('<span class="ws-nowrap" data-next-debit="2026-12-02">2026-12-02 <span class="muted">押金 ¥500.00</span>'
          '</span><br><span class="ws-nowrap">2026-12-03 <span class="muted">首期 ¥399.00</span></span><br>'
          '<span class="ws-nowrap muted" data-starts-on="2026-12-03">套餐生效日 2026-12-03</span>')
COOLING_OFF_EN = "<dt>Cooling-off until</dt><dd>2026-12-10</dd>"  # the start day + the plan's 7 days
COOLING_OFF_ZH = "<dt>冷静期至</dt><dd>2026-12-10</dd>"


@pytest.fixture
def waiting(shop, shop_wechat, time_machine):  # noqa: F811
    """Signed on 1 Dec at 11:00 with a ¥500.00 deposit due; the deposit's notice has gone out."""
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=50_000)
    _run(shop, SIGNED_AT)
    assert list(shop_wechat.notices.values()) == [50_000]
    return contract


def _page(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_done_page_says_what_is_debited_when_and_the_cooling_off_end(shop, waiting):
    phone = client_for(shop)
    with schema_context(shop.schema_name):
        session = phone.session
        session[SESSION_KEY] = [str(waiting.uuid)]
        session.save()
    en = _page(phone, f"/sign/done/{waiting.uuid}/", "en")
    assert f"one debit per notice: {EN} We will text you" in en
    assert "<dt>Deposit, to be debited</dt><dd>¥500.00 on 2026-12-02</dd>" in en
    assert "<dt>First month, to be debited</dt><dd>¥399.00 on 2026-12-03</dd>" in en
    assert "<dt>Plan starts on</dt><dd><strong>2026-12-03</strong></dd>" in en
    assert COOLING_OFF_EN in en and en.count("Cooling-off until") == 1
    assert "from the day the plan starts" not in en and "paid today" not in en and "taken now" not in en
    zh = _page(phone, f"/sign/done/{waiting.uuid}/", "zh-hans")
    assert ZH in zh and "<dt>押金（待扣）</dt><dd>¥500.00，2026-12-02 扣款</dd>" in zh
    assert "<dt>首期（待扣）</dt><dd>¥399.00，2026-12-03 扣款</dd>" in zh
    assert "<dt>套餐生效日</dt><dd><strong>2026-12-03</strong></dd>" in zh and COOLING_OFF_ZH in zh
    assert "自套餐生效之日起" not in zh


def test_my_plans_shows_the_deposit_to_be_debited_and_one_name_for_the_method(shop, waiting):
    with schema_context(shop.schema_name):
        user = customer_account_create(customer=waiting.customer, email="wei@example.com", password="a-long-pass-123")
    phone = client_for(shop, user)
    zh = _page(phone, "/my/plans/", "zh-hans")
    assert "<dt>押金</dt><dd>¥500.00 · 待扣（2026-12-02 扣款）</dd>" in zh
    assert "<dt>首期（待扣）</dt><dd>¥399.00，2026-12-03 扣款</dd>" in zh
    assert '<dt>套餐生效日</dt><dd data-starts-on="2026-12-03">2026-12-03</dd>' in zh
    assert "<dd>微信支付委托代扣</dd>" in zh and f"等待微信支付预扣费通知期：{ZH}届时我们会短信通知您。" in zh
    assert COOLING_OFF_ZH in zh
    en = _page(phone, "/my/plans/", "en")
    assert "<dt>Deposit</dt><dd>¥500.00 · to be debited on 2026-12-02</dd>" in en
    assert "<dt>First month, to be debited</dt><dd>¥399.00 on 2026-12-03</dd>" in en
    assert '<dt>Plan starts on</dt><dd data-starts-on="2026-12-03">2026-12-03</dd>' in en
    assert "<dd>WeChat Pay auto-debit</dd>" in en and f"Waiting for WeChat Pay's pre-debit notice period: {EN}" in en
    assert COOLING_OFF_EN in en


def test_the_staff_signing_page_explains_the_wait_and_offers_no_new_link(shop, waiting, owner_client):  # noqa: F811
    en = _page(owner_client, f"/manage/signings/{waiting.uuid}/", "en")
    assert f"Waiting for WeChat Pay's pre-debit notice period: {EN}" in en and "Nothing more to do" in en
    assert "Replace with a new link" not in en and "Make the signing link" not in en
    assert '<li class="done" data-step="method">' in en and '<li class="waiting" data-step="paid">' in en
    assert "¥500.00 · debited on 2026-12-02" in en
    zh = _page(owner_client, f"/manage/signings/{waiting.uuid}/", "zh-hans")
    assert f"等待微信支付预扣费通知期：{ZH}" in zh and "已添加支付方式" in zh


def test_the_staff_contract_page_says_when_the_deposit_is_taken(shop, waiting, owner_client):  # noqa: F811
    en = _page(owner_client, f"/manage/contracts/{waiting.uuid}/", "en")
    assert f"one debit per notice: {EN}" in en and "· debited on 2026-12-02" in en
    assert COOLING_OFF_EN in en and "from the day the plan starts" not in en
    zh = _page(owner_client, f"/manage/contracts/{waiting.uuid}/", "zh-hans")
    assert f"每次通知只扣一笔：{ZH}" in zh and "· 2026-12-02 扣款" in zh and COOLING_OFF_ZH in zh


@pytest.mark.parametrize("path", ["/manage/signings/", "/manage/contracts/"])
def test_both_lists_show_the_wait_every_debit_and_the_start(shop, waiting, owner_client, path):  # noqa: F811
    en = _page(owner_client, path, "en")
    assert "Waiting for WeChat Pay's pre-debit notice period" in en and ROW_EN in en
    zh = _page(owner_client, path, "zh-hans")
    assert "等待微信支付预扣费通知期" in zh and ROW_ZH in zh


def test_after_the_deposit_the_lists_show_the_first_month_and_after_the_start_no_wait(shop, waiting, owner_client):  # noqa: F811
    _run(shop, _beijing(date(2026, 12, 2), 7, 20))
    page = _page(owner_client, "/manage/contracts/", "en")
    assert ('<span class="ws-nowrap" data-next-debit="2026-12-03">2026-12-03 <span class="muted">First month ¥399.00'
            '</span></span><br><span class="ws-nowrap muted" data-starts-on="2026-12-03">Plan starts on 2026-12-03</span>'
            ) in page and "Deposit ¥500.00" not in page
    _run(shop, _beijing(date(2026, 12, 3), 7, 20))
    page = _page(owner_client, "/manage/contracts/", "en")
    assert "notice period" not in page and "data-next-debit" not in page


def _export(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    content = b"".join(response.streaming_content)
    if "export=csv" in path:
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def _cells(rows, name, *headers):
    row = next(row for row in rows[1:] if name in row)
    return [row[rows[0].index(header)] for header in headers]


def test_the_exports_give_a_waiting_contract_its_state_and_next_debit_as_the_lists(shop, waiting, owner_client):  # noqa: F811
    with schema_context(shop.schema_name):
        name = waiting.customer.name
    rows = _export(owner_client, "/manage/contracts/?export=csv", "en")
    assert _cells(rows, name, "Status", "Next debit") == [
        "Signed · Waiting for WeChat Pay's pre-debit notice period", "2026-12-02"]
    rows = _export(owner_client, "/manage/contracts/?export=xlsx", "zh-hans")
    assert _cells(rows, name, "状态", "下次扣款") == ["已签署 · 等待微信支付预扣费通知期", datetime(2026, 12, 2)]
    rows = _export(owner_client, "/manage/signings/?export=csv", "zh-hans")
    assert _cells(rows, name, "状态") == ["已签署 · 等待微信支付预扣费通知期"]
    _run(shop, _beijing(date(2026, 12, 2), 7, 20))  # the deposit is in: the first month is next
    rows = _export(owner_client, "/manage/contracts/?export=csv", "en")
    assert _cells(rows, name, "Next debit") == ["2026-12-03"]
    _run(shop, _beijing(date(2026, 12, 3), 7, 20))  # started: the calendar's next open period
    rows = _export(owner_client, "/manage/contracts/?export=csv", "en")
    assert _cells(rows, name, "Status", "Next debit") == ["Active", "2027-01-15"]
