"""A customer asks for the paid part of their stored value back (H5); staff see the request,
refund at the counter, then mark it handled or decline it with a reason the customer reads.
The request moves no money; a second open request, one with nothing paid, or one in a shop
that refunds no stored value is refused and writes nothing; another shop sees none of it."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.models import Journal
from pawpact.loyalty import stored_value
from pawpact.loyalty.refund_request_models import StoredValueRefundRequest
from pawpact.loyalty.wallet_models import StoredValueAccount
from pawpact.workspace.enums import Role
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user
from tests.workspace.test_marketing_wallet import topped_up  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
URL = "/my/stored-value/refund/"


def _customer_client(shop, customer) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(customer.user)
    return client


def _state(shop):
    with schema_context(shop.schema_name):
        return (list(StoredValueRefundRequest.objects.values_list("paid_minor", "status", "answer")),
                Journal.objects.count(), StoredValueAccount.objects.get().paid_minor)  # fmt: skip


def test_a_customer_asks_staff_see_it_and_answer_and_the_customer_reads_the_answer(shop, other_shop, topped_up):  # noqa: F811
    customer, _method = topped_up
    me = _customer_client(shop, customer)
    assert 'href="/my/stored-value/refund/"' in me.get("/my/stored-value/").content.decode()
    page = me.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "¥1,000.00" in page and "向门店申请退款" in page
    journals = _state(shop)[1]
    assert me.post(URL, {"note": "moving away"}).status_code == 302
    assert _state(shop) == ([(100_000, "open", "")], journals, 100_000)  # nothing moved
    again = me.post(URL, {"note": "again"}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400 and "Your request is already with the shop." in again.content.decode()
    assert len(_state(shop)[0]) == 1

    owner = client_for(shop, staff_user(shop, Role.OWNER))
    listing = owner.get("/manage/marketing/stored-value/refund-requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Li Lei" in listing and "moving away" in listing and "¥1,000.00" in listing
    assert "1 waiting" in owner.get("/manage/marketing/stored-value/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with schema_context(shop.schema_name):
        pk = StoredValueRefundRequest.objects.get().pk
    answer_url = f"/manage/marketing/stored-value/refund-requests/{pk}/answer/"
    # A clerk may look but not answer; a decline needs a reason.
    assert client_for(shop, staff_user(shop, Role.CLERK)).post(answer_url, {"decision": "handled"}).status_code == 403
    owner.post(answer_url, {"decision": "declined", "answer": ""})
    assert _state(shop)[0] == [(100_000, "open", "")]
    owner.post(answer_url, {"decision": "declined", "answer": "Please come to the counter with your ID"})
    assert _state(shop)[0] == [(100_000, "declined", "Please come to the counter with your ID")]
    assert "Please come to the counter with your ID" in me.get(URL).content.decode()

    other_owner = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert "Li Lei" not in other_owner.get("/manage/marketing/stored-value/refund-requests/").content.decode()
    assert other_owner.post(answer_url, {"decision": "handled"}).status_code == 302
    assert _state(shop)[0] == [(100_000, "declined", "Please come to the counter with your ID")]


def test_a_shop_that_refunds_no_stored_value_takes_no_request(shop, topped_up):  # noqa: F811
    customer, _method = topped_up
    with schema_context(shop.schema_name):
        rules = stored_value.rules_get()
        rules.refunds_allowed = False
        rules.save()
    me = _customer_client(shop, customer)
    assert "This shop does not refund stored value." in me.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    refused = me.post(URL, {"note": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and _state(shop)[0] == []
