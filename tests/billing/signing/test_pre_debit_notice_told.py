"""Each of WeChat Pay's pre-debit notices is told: on the staff contract timeline (amount and
debit day) and to the customer in the app, in the customer's language, once per notice
however often the job runs; a notice WeChat refuses is told nowhere."""
from datetime import date

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract
from pawpact.billing.services.pre_debit_notices import PRE_DEBIT_NOTICE_TOPIC
from pawpact.messaging.models import Message
from pawpact.workspace.selectors.timeline import contract_timeline
from tests.billing.signing.test_activation_schedule import DEPOSIT_MINOR, _beijing
from tests.billing.signing.test_queued_activation import SIGNED_AT, _agreement_signed, _run, shop_wechat  # noqa: F401
from tests.payments.gateways import fake_wechat  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
NOTICE_SENT = ("WeChat Pay's pre-debit notice sent", "已发送微信支付预扣费通知")


def _told(shop, contract):
    with schema_context(shop.schema_name):
        return list(Message.objects.filter(customer_id=contract.customer_id, topic=PRE_DEBIT_NOTICE_TOPIC)
                    .order_by("id").values_list("channel", "subject", "body"))  # fmt: skip


def _timeline(shop, contract, language="en"):
    with schema_context(shop.schema_name), translation.override(language):
        stored = Contract.objects.select_related("payment_method").get(pk=contract.pk)
        return [entry.text for entry in contract_timeline(contract=stored) if entry.text.startswith(NOTICE_SENT)]


def _language(shop, contract, language):
    """Set the customer's language; the pet's name."""
    with schema_context(shop.schema_name):
        contract.customer.language = language
        contract.customer.save(update_fields=["language"])
        return contract.pet.name


def test_the_deposit_and_period_1_notices_are_told_once_in_the_customers_language(
    shop, shop_wechat, time_machine  # noqa: F811
):
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=DEPOSIT_MINOR)
    pet = _language(shop, contract, "zh-hans")
    _run(shop, SIGNED_AT)
    _run(shop, _beijing(date(2026, 12, 1), 11, 20))  # the job again: nothing told twice
    deposit_told = ("in_app", "微信支付预扣费通知", f"微信支付预扣费通知：{pet} 的套餐押金 ¥500.00 将于 2026-12-02 扣款。")
    assert _told(shop, contract) == [deposit_told]
    assert _timeline(shop, contract) == ["WeChat Pay's pre-debit notice sent: deposit ¥500.00, to be debited on 2026-12-02"]

    _run(shop, _beijing(date(2026, 12, 2), 7, 20))  # the deposit is taken; period 1's notice follows
    _run(shop, _beijing(date(2026, 12, 2), 7, 50))
    period_told = ("in_app", "微信支付预扣费通知", f"微信支付预扣费通知：{pet} 的套餐第 1 期 ¥399.00 将于 2026-12-03 扣款。")
    assert _told(shop, contract) == [deposit_told, period_told]
    assert _timeline(shop, contract) == [
        "WeChat Pay's pre-debit notice sent: period 1 ¥399.00, to be debited on 2026-12-03",
        "WeChat Pay's pre-debit notice sent: deposit ¥500.00, to be debited on 2026-12-02",
    ]
    assert _timeline(shop, contract, "zh-hans") == ["已发送微信支付预扣费通知：第 1 期 ¥399.00，将于 2026-12-03 扣款",
                  "已发送微信支付预扣费通知：押金 ¥500.00，将于 2026-12-02 扣款"]  # fmt: skip


def test_an_english_customer_reads_it_in_english_and_no_other_shop_hears_of_it(
    shop, other_shop, shop_wechat, time_machine  # noqa: F811
):
    contract = _agreement_signed(shop, shop_wechat, time_machine)
    pet = _language(shop, contract, "en")
    _run(shop, SIGNED_AT)
    _run(other_shop, SIGNED_AT)
    with schema_context(other_shop.schema_name):
        assert not Message.objects.filter(topic=PRE_DEBIT_NOTICE_TOPIC).exists()
    assert _told(shop, contract) == [("in_app", "WeChat Pay's pre-debit notice", (
        f"WeChat Pay's pre-debit notice: period 1 of ¥399.00 for {pet}'s plan will be debited"
        " on 2026-12-02."))]


def test_a_notice_wechat_refuses_is_told_nowhere(shop, shop_wechat, time_machine):  # noqa: F811
    contract = _agreement_signed(shop, shop_wechat, time_machine, deposit_minor=DEPOSIT_MINOR)
    with schema_context(shop.schema_name):
        token = Contract.objects.select_related("payment_method").get(pk=contract.pk).payment_method.token
    shop_wechat.contracts[token]["state"] = "TERMINATED"
    _run(shop, SIGNED_AT)
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).deposit_noticed_at is None
    assert shop_wechat.notices == {} and _told(shop, contract) == [] and _timeline(shop, contract) == []
