"""The staff account page and the customer's page say where a stored-value refund goes (back to
the payment method, or cash at the counter) in English and Chinese; a cash top-up at the
counter is confirmed first; a refund the rail did not confirm is retried from the page and
paid once; another shop's staff find nothing; the API says the same."""
import uuid
from datetime import date

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.services import customer_register
from pawpact.loyalty import stored_value
from pawpact.loyalty.models import GiftRule, StoredValueAccount, StoredValueMovement, TopUp
from pawpact.loyalty.wallet_models import RefundLegStatus, StoredValueRefund, StoredValueRefundLeg
from pawpact.payments.errors import RefundFailed
from pawpact.payments.sandbox import SandboxRail
from pawpact.workspace.enums import Role
from tests.conftest import SHOP_PASSWORD, host_of
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_both_ways(shop):
    """¥1,000 through the sandbox card (gift ¥100), then ¥200 in cash at the counter."""
    with schema_context(shop.schema_name):
        GiftRule.objects.create(threshold_minor=100_000, gift_minor=10_000)
        customer, token = customer_register(email="rf@example.com", password=SHOP_PASSWORD, name="Han Mei",
                                            phone="13900000998", birth_date=date(1990, 1, 1))  # fmt: skip
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="card")
        stored_value.topup_at_counter(customer=customer, amount_minor=20_000, request_key="cash")
    return customer, token


def effects(shop):
    with schema_context(shop.schema_name):
        return (list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")), StoredValueMovement.objects.count(),
                StoredValueRefund.objects.count(), TopUp.objects.count())  # fmt: skip


def test_the_refund_is_shown_back_with_where_each_part_goes_then_done_once(shop, paid_both_ways, manager_client):
    customer, _token = paid_both_ways
    page = f"/manage/marketing/stored-value/{customer.uuid}/"
    before = effects(shop)
    asked = manager_client.post(page, {"amount": "1100", "request_key": "k1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Refund ¥1,100.00 of paid value? ¥91.66 of gift value is forfeited" in asked
    assert "<strong>In cash at the counter</strong> ¥200.00" in asked
    assert "<strong>Back to the test payment method</strong> ¥900.00" in asked
    zh = manager_client.post(page, {"amount": "1100", "request_key": "k1"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<strong>门店现金退还</strong> ¥200.00" in zh and "<strong>退回测试支付方式</strong> ¥900.00" in zh
    assert effects(shop) == before
    done = manager_client.post(page, {"amount": "1100", "request_key": "k1", "confirmed": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    again = manager_client.post(page, {"amount": "1100", "request_key": "k1", "confirmed": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 302 and again.status_code == 302
    shown = manager_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hand ¥200.00 back to the customer in cash." in shown
    with schema_context(shop.schema_name):
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(10_000, 834)]
        assert StoredValueRefund.objects.count() == 1 and StoredValueMovement.objects.filter(kind="refund").count() == 2


def test_a_cash_top_up_at_the_counter_is_confirmed_first(shop, paid_both_ways, clerk_client):
    customer, _token = paid_both_ways
    url = f"/manage/marketing/stored-value/{customer.uuid}/top-up/"
    before = effects(shop)
    asked = clerk_client.post(url, {"amount": "1000", "request_key": "t1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Take ¥1,000.00 in cash and put it on Han Mei's stored value, with ¥100.00 on top?" in asked
    bad = clerk_client.post(url, {"amount": "10.001", "request_key": "t2", "confirmed": "on"})
    assert bad.status_code == 302 and effects(shop) == before
    for _ in range(2):
        clerk_client.post(url, {"amount": "1000", "request_key": "t1", "confirmed": "on"})
    with schema_context(shop.schema_name):
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(220_000, 20_000)]
        assert TopUp.objects.filter(payment_method__isnull=True).count() == 2


def test_a_refund_the_rail_refused_waits_and_is_retried_from_the_page(shop, paid_both_ways, manager_client, monkeypatch):
    customer, _token = paid_both_ways
    page = f"/manage/marketing/stored-value/{customer.uuid}/"
    real = SandboxRail.refund
    monkeypatch.setattr(SandboxRail, "refund", lambda self, **kwargs: (_ for _ in ()).throw(RefundFailed("down")))
    manager_client.post(page, {"amount": "1200", "request_key": "k", "confirmed": "on"})
    shown = manager_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥1,000.00 was not confirmed by the payment provider yet" in shown and "Try again" in shown
    assert "Hand ¥200.00 back to the customer in cash." in shown
    assert effects(shop)[0] == [(100_000, 8_334)]  # the cash part went; the card part holds its amount
    assert "Up to" not in shown  # nothing more to refund while it waits
    with schema_context(shop.schema_name):
        refund = StoredValueRefund.objects.get()
    monkeypatch.setattr(SandboxRail, "refund", real)
    retry = f"/manage/marketing/stored-value/{customer.uuid}/refunds/{refund.uuid}/retry/"
    assert manager_client.post(retry).status_code == 302 and manager_client.post(retry).status_code == 302
    with schema_context(shop.schema_name):
        assert list(StoredValueRefundLeg.objects.order_by("id").values_list("payment_method__rail", "amount_minor", "status")) == [
            (None, 20_000, RefundLegStatus.REFUNDED), ("sandbox", 100_000, RefundLegStatus.REFUNDED)]
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(0, 0)]
        assert StoredValueMovement.objects.filter(kind="refund").count() == 2


def test_another_shops_staff_can_neither_see_nor_refund(shop, other_shop, paid_both_ways):
    customer, _token = paid_both_ways
    other = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    before = effects(shop)
    page = f"/manage/marketing/stored-value/{customer.uuid}/"
    assert other.post(page, {"amount": "100", "request_key": "x", "confirmed": "on"}).status_code == 404
    assert other.post(page + "top-up/", {"amount": "100", "request_key": "x", "confirmed": "on"}).status_code == 404
    assert effects(shop) == before


def test_the_customer_page_says_where_a_refund_goes(shop, paid_both_ways):
    customer, _token = paid_both_ways
    with schema_context(shop.schema_name):
        client = client_for(shop, customer.user)
    en = client.get("/my/stored-value/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "your ¥1,200.00 goes back the way you paid it" in en
    assert "Back to the test payment method ¥1,000.00" in en and "In cash at the counter ¥200.00" in en
    zh = client.get("/my/stored-value/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "退回测试支付方式 ¥1,000.00" in zh and "门店现金退还 ¥200.00" in zh


def staff_token(shop, role=Role.OWNER) -> str:
    from pawpact.accounts.services import api_token_issue

    user = staff_user(shop, role)
    with schema_context(shop.schema_name):
        return api_token_issue(user=user)


def api(shop, token):
    client = APIClient(HTTP_HOST=host_of(shop))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_api_says_where_the_money_goes_and_refunds_once_per_key(shop, other_shop, paid_both_ways):
    customer, token = paid_both_ways
    mine = api(shop, token)
    assert mine.get("/api/v1/stored-value").json()["refund_to"] == [
        {"destination": "cash", "label": "In cash at the counter", "amount_minor": 20_000},
        {"destination": "sandbox", "label": "Back to the test payment method", "amount_minor": 100_000},
    ]
    body = {"customer_uuid": str(customer.uuid), "amount_minor": 30_000}
    assert mine.post("/api/v1/stored-value/refunds", body, format="json",
                     HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())).status_code == 403  # fmt: skip
    staff = api(shop, staff_token(shop))
    key = str(uuid.uuid4())
    made = staff.post("/api/v1/stored-value/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert made.status_code == 201, made.json()
    assert [(leg["destination"], leg["amount_minor"], leg["status"]) for leg in made.json()["legs"]] == [
        ("cash", 20_000, "refunded"), ("sandbox", 10_000, "refunded")]
    assert staff.post("/api/v1/stored-value/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert [r["amount_minor"] for r in mine.get("/api/v1/stored-value/refunds").json()["results"]] == [30_000]
    assert mine.get("/api/v1/stored-value").json()["refundable_minor"] == 90_000
    outsider = api(other_shop, staff_token(other_shop))
    refused = outsider.post("/api/v1/stored-value/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert refused.status_code == 404 and refused.json()["fields"] == {"customer_uuid": ["Unknown customer."]}
    assert outsider.get("/api/v1/stored-value/refunds").json()["results"] == []
    too_much = staff.post("/api/v1/stored-value/refunds", {**body, "amount_minor": 90_001}, format="json",
                          HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert too_much.status_code == 422 and too_much.json()["code"] == "insufficient_stored_value"
    with schema_context(shop.schema_name):
        assert StoredValueRefund.objects.count() == 1
