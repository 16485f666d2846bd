"""After paying, the customer sees what was taken today (first month and deposit) and the
next debit; their plans show the deposit held and the payment method in their language."""

from datetime import date

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.billing.enums import DepositStatus, PeriodStatus
from pawpact.billing.models import Contract, DebitPeriod, PaymentMethod
from pawpact.billing.services.agreements import LABELS
from pawpact.customers.services import customer_create, pet_create
from pawpact.payments.enums import Rail
from pawpact.core.templatetags.money import money
from tests.workspace.conftest import client_for
from tests.workspace.test_signing import _code, _link, _wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_score_adopter(shop):
    """Phone ending 416: sandbox credit score 599, so the plan's deposit is due."""
    with schema_context(shop.schema_name):
        customer = customer_create(name="Li Lei", phone="13800138416", birth_date=date(1991, 3, 2))
        pet = pet_create(name="Dou", species="dog", breed="Shiba")
    return customer, pet


def _started(shop, owner_client, adopter):
    contract = _wizard(owner_client, shop, *adopter)
    link = _link(shop, contract)
    phone = client_for(shop)
    phone.post(f"/sign/{link.token}/", {"action": "send"})
    phone.post(f"/sign/{link.token}/", {"action": "sign", "code": _code(shop, link), "consent": "yes"})
    response = phone.post(f"/sign/{link.token}/", {"action": "pay", "card": "tok_success"})
    assert response["Location"] == f"/sign/done/{contract.uuid}/"
    with schema_context(shop.schema_name):
        return Contract.objects.get(pk=contract.pk), phone


def test_done_page_shows_the_deposit_the_total_taken_today_and_the_next_debit(shop, owner_client, low_score_adopter):
    contract, phone = _started(shop, owner_client, low_score_adopter)
    with schema_context(shop.schema_name):
        periods = list(DebitPeriod.objects.filter(contract=contract).order_by("number"))
    assert contract.deposit_status == DepositStatus.HELD and contract.deposit_minor > 0
    assert periods[0].status == PeriodStatus.PAID
    first, deposit = periods[0].amount_minor, contract.deposit_minor
    en = phone.get(f"/sign/done/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the first month and the deposit are paid" in en
    assert f"<dt>Deposit, paid today</dt><dd>{money(deposit)}</dd>" in en
    assert f"<dt>First month, paid today</dt><dd>{money(first)}</dd>" in en
    assert f"<strong>{money(first + deposit)}</strong>" in en
    assert f"{money(periods[1].amount_minor)} on {periods[1].due_date:%Y-%m-%d} (period 2 of {contract.periods})" in en
    zh = phone.get(f"/sign/done/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"<dt>押金，今日已付</dt><dd>{money(deposit)}</dd>" in zh and "今日共付" in zh
    assert f"{periods[1].due_date:%Y-%m-%d} 扣 {money(periods[1].amount_minor)}（第 2 期" in zh

    phone.post(f"/sign/done/{contract.uuid}/", {"email": "li@example.com", "password": "a-long-pass-123"})
    with schema_context(shop.schema_name):  # an agreement label stored in English
        PaymentMethod.objects.filter(pk=contract.payment_method_id).update(rail=Rail.ALIPAY, label=LABELS[Rail.ALIPAY])
    plans = phone.get("/my/plans/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"<dt>押金</dt><dd>{money(deposit)} · " in plans
    assert "<dd>支付宝周期扣款</dd>" in plans and "Alipay" not in plans


def test_without_a_deposit_the_done_page_shows_the_first_month_only(shop, owner_client, adopter):
    contract, phone = _started(shop, owner_client, adopter)
    en = phone.get(f"/sign/done/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert contract.deposit_status == DepositStatus.WAIVED
    assert "the first month is paid" in en and "Deposit, paid today" not in en and "Paid today in all" not in en
    plans_label = PaymentMethod(rail=Rail.WECHAT, label=LABELS[Rail.WECHAT])
    with translation.override("zh-hans"):
        assert plans_label.shown_label == "微信支付委托代扣"
    older = PaymentMethod(rail=Rail.WECHAT, label="WeChat entrusted debit")  # a label stored before the names were one
    with translation.override("en"):
        assert older.shown_label == "WeChat Pay auto-debit"
    with translation.override("zh-hans"):
        assert older.shown_label == "微信支付委托代扣"
