"""营销 Marketing pages for referrals, the points mall and stored value, per role; the
customer's pages; exports; refusals write nothing; another shop's records are not found."""
import csv
import io
import re
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.services import customer_register
from pawpact.loyalty import referrals, stored_value
from pawpact.loyalty.models import GiftRule, MallItem, StoredValueAccount, StoredValueMovement, TopUp
from pawpact.loyalty.points import EarnEvent, points_events_apply
from pawpact.loyalty.wallet_models import Redemption, RedemptionStatus
from pawpact.workspace.enums import Role
from tests.conftest import SHOP_PASSWORD
from tests.loyalty.conftest import NOW
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db
PAGES = ["/manage/marketing/referrals/", "/manage/marketing/mall/", "/manage/marketing/mall/redemptions/",
         "/manage/marketing/stored-value/", "/manage/marketing/stored-value/movements/"]  # fmt: skip


@pytest.fixture
def topped_up(shop):
    """A customer who topped up ¥1,000 and got ¥100 on top."""
    with schema_context(shop.schema_name):
        GiftRule.objects.create(threshold_minor=100_000, gift_minor=10_000)
        customer, _token = customer_register(email="sv@example.com", password=SHOP_PASSWORD, name="Li Lei",
                                             phone="13900000999", birth_date=date(1990, 1, 1))  # fmt: skip
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        stored_value.topup(customer=customer, amount_minor=100_000, payment_method=method, request_key="fixture")
    return customer, method


def effects(shop):
    with schema_context(shop.schema_name):
        return (MallItem.objects.count(), StoredValueMovement.objects.count(), GiftRule.objects.count(), TopUp.objects.count(),
                list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")))  # fmt: skip


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.CLERK])
def test_every_role_sees_the_pages_only_owner_and_manager_change_them(shop, topped_up, role):
    client = client_for(shop, staff_user(shop, role))
    for page in [*PAGES, f"/manage/marketing/stored-value/{topped_up[0].uuid}/"]:
        response = client.get(page, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, page
        assert "Marketing" in [str(item["label"]) for item in response.wsgi_request.workspace_menu if item["is_current"]]
    before = effects(shop)
    item = client.post("/manage/marketing/mall/", {"name": "Toy", "points": "500", "cash": "9.90", "stock": "3", "active": "on"})
    rule = client.post("/manage/marketing/stored-value/gift-rules/", {"threshold": "500", "gift": "30"})
    if role == Role.CLERK:
        assert rule.status_code == 403 and effects(shop) == before
        assert item.status_code == 403 and effects(shop) == before
    else:
        assert item.status_code == 302 and rule.status_code == 302
        with schema_context(shop.schema_name):
            assert list(MallItem.objects.values_list("name", "points", "cash_minor", "stock")) == [("Toy", 500, 990, 3)]
            assert GiftRule.objects.filter(threshold_minor=50_000, gift_minor=3_000).exists()


@pytest.mark.parametrize("fields", [{"points": "0"}, {"cash": "1.234"}, {"stock": "-1"}, {"name": ""}])
def test_a_bad_item_is_a_form_error_and_writes_nothing(shop, owner_client, fields):
    body = {"name": "Toy", "points": "10", "cash": "0", "stock": "1"} | fields
    response = owner_client.post("/manage/marketing/mall/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    with schema_context(shop.schema_name):
        assert not MallItem.objects.exists()


def test_a_refund_is_confirmed_first_and_never_beyond_the_paid_part(shop, topped_up, manager_client):
    customer, _method = topped_up
    page = f"/manage/marketing/stored-value/{customer.uuid}/"
    before = effects(shop)
    too_much = manager_client.post(page, {"amount": "1000.01", "request_key": "k1"}, HTTP_ACCEPT_LANGUAGE="en")
    asked = manager_client.post(page, {"amount": "500", "request_key": "k1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert too_much.status_code == 400 and "At most the paid part, ¥1,000.00" in too_much.content.decode()
    assert asked.status_code == 200
    assert "Refund ¥500.00 of paid value? ¥50.00 of gift value is forfeited" in asked.content.decode()
    assert "Back to the test payment method</strong> ¥500.00" in asked.content.decode()
    assert effects(shop) == before
    refused = manager_client.post(page, {"amount": "1000.01", "request_key": "k2", "confirmed": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "At most the paid part" in refused.content.decode() and effects(shop) == before
    done = manager_client.post(page, {"amount": "500", "request_key": "k1", "confirmed": "on"})
    again = manager_client.post(page, {"amount": "500", "request_key": "k1", "confirmed": "on"})
    assert done.status_code == 302 and again.status_code == 302
    with schema_context(shop.schema_name):
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(50_000, 5_000)]
        assert StoredValueMovement.objects.count() == 2


def test_a_clerk_cannot_refund(shop, topped_up, clerk_client):
    before = effects(shop)
    response = clerk_client.post(f"/manage/marketing/stored-value/{topped_up[0].uuid}/",
                                 {"amount": "10", "request_key": "k", "confirmed": "on"})  # fmt: skip
    assert response.status_code == 200 and effects(shop) == before
    assert "Refund the paid part" not in response.content.decode()


def test_lists_export_in_yuan_with_labels(shop, topped_up, owner_client):
    answer = owner_client.get("/manage/marketing/stored-value/movements/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Time", "Customer", "Phone", "Movement", "Paid value (¥)", "Gift value (¥)"]
    assert rows[1][1:] == ["Li Lei", "13900000999", "Top-up", "1000.00", "100.00"]
    for page in PAGES:
        xlsx = owner_client.get(page + "?export=xlsx")
        assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"], page


def test_another_shops_staff_do_not_find_the_account(shop, other_shop, topped_up):
    other = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert other.get(f"/manage/marketing/stored-value/{topped_up[0].uuid}/").status_code == 404
    assert "Li Lei" not in other.get("/manage/marketing/stored-value/").content.decode()


def customer_client(shop, customer):
    with schema_context(shop.schema_name):
        return client_for(shop, customer.user)


@pytest.mark.parametrize("amount", ["0", "100.005", "-5", "abc"])
def test_customer_top_up_refused_for_zero_or_three_decimals(shop, topped_up, amount):
    customer, method = topped_up
    client = customer_client(shop, customer)
    before = effects(shop)
    response = client.post("/my/stored-value/", {"amount": amount, "payment_method": method.pk, "request_key": "p1"},
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 400 and effects(shop) == before


def test_customer_pages_balance_top_up_mall_and_referral(shop, topped_up):
    customer, method = topped_up
    client = customer_client(shop, customer)
    page = client.get("/my/stored-value/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥1,100.00" in page and "¥100.00" in page and "Top up ¥1,000.00, get ¥100.00 on top" in page
    done = client.post("/my/stored-value/", {"amount": "1000", "payment_method": method.pk, "request_key": "p2"})
    assert "Topped up ¥1,000.00, with ¥100.00 on top." in client.get("/my/stored-value/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/my/stored-value/", {"amount": "1000", "payment_method": method.pk, "request_key": "p2"})
    assert done.status_code == 302
    with schema_context(shop.schema_name):
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(200_000, 20_000)]
        points_events_apply(events=[EarnEvent(source_key="page:1", source_event="test", customer_id=customer.pk,
                                              base_points=700, occurred_at=NOW)])  # fmt: skip
        item = MallItem.objects.create(name="Cat bed", points=700, stock=1)
    assert "Cat bed" in client.get("/my/mall/").content.decode()
    assert client.post("/my/mall/", {"item": item.pk, "request_key": "m1"}).status_code == 302
    with schema_context(shop.schema_name):
        assert Redemption.objects.get().status == RedemptionStatus.REDEEMED
    referral = client.get("/my/referral/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    code = re.search(r'data-testid="referral-code">(\w+)<', referral).group(1)
    assert "<svg" in referral and f"/join/{code}/" in referral
    zh = client.get("/my/stored-value/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "储值" in zh and "赠送" in zh


def test_the_share_link_offers_the_code_to_a_newcomer(shop, shop_client, topped_up):
    with schema_context(shop.schema_name):
        code = referrals.code_for(customer=topped_up[0]).code
    page = shop_client.get(f"/join/{code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and code in page.content.decode() and "¥200" in page.content.decode()


def test_a_clerk_takes_a_counter_payment_from_stored_value_once(shop, topped_up, clerk_client):
    customer, _method = topped_up
    url = f"/manage/marketing/stored-value/{customer.uuid}/spend/"
    asked = clerk_client.post(url, {"amount": "1234.5", "revenue": "service_revenue", "memo": "Grooming",
                                    "request_key": "c0"}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert asked.status_code == 200
    assert f"Pay ¥1,234.50 from {customer.name}'s stored value for Services at the counter?" in asked.content.decode()
    with schema_context(shop.schema_name):
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(100_000, 10_000)]
    body = {"amount": "128", "revenue": "service_revenue", "memo": "Grooming", "request_key": "c1", "confirmed": "on"}
    assert clerk_client.post(url, body).status_code == 302
    assert clerk_client.post(url, body).status_code == 302
    with schema_context(shop.schema_name):
        assert list(StoredValueAccount.objects.values_list("paid_minor", "gift_minor")) == [(87_200, 10_000)]
        from pawpact.billing.models import Journal

        journal = Journal.objects.get(idempotency_key="stored_value.spend:counter:c1")
        assert sorted((line.account, line.amount_minor) for line in journal.lines.all()) == [
            ("service_revenue", -12_800), ("stored_value_paid", 12_800)]
    before = effects(shop)
    refused = clerk_client.post(url, {**body, "amount": "972.01", "request_key": "c2"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Only ¥972.00 of stored value is left." in refused.content.decode() and effects(shop) == before
