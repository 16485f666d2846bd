"""A contract whose customer has signed everything and whose start waits for WeChat Pay's
pre-debit notices is not "waiting for the customer": the signings list and the overview
give it its own state and count, so staff do not chase a customer who is done. The
signings list's next debit is the contracts list's, and the done page does not ask a
signed-in customer to log in."""
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, DepositStatus
from pawpact.billing.models import Contract
from pawpact.customers.services import customer_account_create
from pawpact.storefront.signing_views import SESSION_KEY
from tests.billing.debits.factories import contract_create
from tests.billing.signing.test_queued_activation import shop_wechat  # noqa: F401  (fixture)
from tests.payments.gateways import fake_wechat  # noqa: F401  (fixture)
from tests.storefront.test_waiting_plan_pages import _page, waiting  # noqa: F401  (fixture)
from tests.workspace.conftest import client_for, owner_client  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def others(shop, waiting):  # noqa: F811
    """Beside the WeChat contract waiting for its notices: a draft, a signed contract whose
    customer has not chosen how to pay yet, and a contract in force."""
    with schema_context(shop.schema_name):
        draft = contract_create(status=ContractStatus.DRAFT, with_calendar=False, signed_on=date(2026, 12, 1))
        Contract.objects.filter(pk=draft.pk).update(signed_at=None)
        unpaid = contract_create(status=ContractStatus.SIGNED, with_calendar=False, signed_on=date(2026, 12, 1))
        active = contract_create(status=ContractStatus.ACTIVE, signed_on=date(2026, 11, 10),
                                 deposit_status=DepositStatus.WAIVED)  # fmt: skip
        names = {key: c.customer.name for key, c in
                 (("waiting", waiting), ("draft", draft), ("unpaid", unpaid), ("active", active))}  # fmt: skip
    return names, active


def _plain(html: str) -> str:
    return html.replace("&#x27;", "'")


def test_the_signings_filter_separates_the_notice_wait_from_the_customers(shop, others, owner_client):  # noqa: F811
    names, _active = others
    for_customer = _page(owner_client, "/manage/signings/?state=waiting", "en")
    assert names["draft"] in for_customer and names["unpaid"] in for_customer
    assert names["waiting"] not in for_customer and names["active"] not in for_customer
    notice = _plain(_page(owner_client, "/manage/signings/?state=notice", "en"))
    assert names["waiting"] in notice and names["draft"] not in notice and names["unpaid"] not in notice
    assert '<option value="notice" selected>Waiting for WeChat Pay\'s pre-debit notice period</option>' in notice
    zh = _page(owner_client, "/manage/signings/?state=notice", "zh-hans")
    assert '<option value="notice" selected>等待微信支付预扣费通知期</option>' in zh


def test_the_overview_counts_each_wait_apart(shop, others, owner_client):  # noqa: F811
    en = _plain(_page(owner_client, "/manage/", "en"))
    assert ('?state=waiting">Applications waiting for the customer</a><span class="count">2</span>') in en
    assert ('?state=notice">Waiting for WeChat Pay\'s pre-debit notice period</a><span class="count">1</span>') in en
    zh = _page(owner_client, "/manage/", "zh-hans")
    assert '?state=notice">等待微信支付预扣费通知期</a><span class="count">1</span>' in zh


def test_the_signings_list_shows_an_active_contracts_next_debit_as_the_contracts_list(shop, others, owner_client):  # noqa: F811
    _names, active = others
    with schema_context(shop.schema_name):
        due = active.periods_set.order_by("number").first().due_date.isoformat()
    signings = _page(owner_client, "/manage/signings/?state=active", "en")
    contracts = _page(owner_client, "/manage/contracts/?status=active", "en")
    row = f"<td>{due}</td>"
    assert row in signings and row in contracts
    assert "<td>—</td>" not in signings


def test_the_done_page_sends_a_signed_in_customer_to_my_plans_without_asking_to_log_in(shop, waiting):  # noqa: F811
    with schema_context(shop.schema_name):
        user = customer_account_create(customer=waiting.customer, email="wei@example.com", password="a-long-pass-123")
    for client, signed_in in ((client_for(shop, user), True), (client_for(shop), False)):
        with schema_context(shop.schema_name):
            session = client.session
            session[SESSION_KEY] = [str(waiting.uuid)]
            session.save()
        en = _page(client, f"/sign/done/{waiting.uuid}/", "en")
        zh = _page(client, f"/sign/done/{waiting.uuid}/", "zh-hans")
        assert ("Your debit calendar, the agreement and your options are in My plans." in en) == signed_in
        assert ("Log in to see your debit calendar" in en) != signed_in
        assert ("扣款日历、协议和可办理的操作都在「我的套餐」中。" in zh) == signed_in
