"""A plan's box edited mid-month applies from the next paid period: a period paid before the
edit ships what the box held when it was paid, even when its box is made after the edit (the
payment's reaction ran late); the editor page says so in English and Chinese."""
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.outbox.services import shop_event_publish
from pawpact.storefront.models import Fulfilment, PlanBoxItem, ShippingAddress
from pawpact.storefront.services.catalog import plan_box_set, product_save
from pawpact.workspace.enums import Role
from tests.billing.debits.factories import contract_create
from tests.workspace.conftest import client_for, staff_user

OLD_BOX = [("FC-0002", 1), ("L-0001", 1)]
NEW_BOX = [("S-0001", 3)]


def _paid(contract, number: int, at) -> None:
    shop_event_publish(kind="debit.paid", payload={
        "contract_uuid": str(contract.uuid), "period_number": number, "amount_minor": 39_900, "currency": "CNY",
        "attempt_number": 1, "outcome": "succeeded", "at": at.isoformat()})  # fmt: skip


def _box_lines(contract, number: int) -> list[tuple[str, int]]:
    box = Fulfilment.objects.get(contract=contract, period_number=number)
    return sorted(box.lines.values_list("sku", "quantity"))


def _post_box(client, version, rows, **headers):
    data = {}
    for index, (sku, quantity) in enumerate(rows):
        data[f"sku_{index}"], data[f"quantity_{index}"] = sku, str(quantity)
    return client.post(f"/manage/catalog/plans/{version.pk}/box/", data, **headers)


def test_an_edit_applies_from_the_next_paid_period_only(shop, linked, django_capture_on_commit_callbacks):
    with schema_context(shop.schema_name):
        for sku in ("FC-0002", "L-0001", "S-0001"):
            product_save(sku=sku, price_minor=50_000)
        contract = contract_create()
        ShippingAddress.objects.create(customer=contract.customer, name="Wang", phone="13800138000", province="上海市",
                                       city="上海市", address="世纪大道 100 号")  # fmt: skip
        plan_box_set(plan_version=contract.plan_version, items=OLD_BOX)
        before_edit = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            _paid(contract, 1, before_edit - timedelta(days=14))
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    assert _post_box(owner, contract.plan_version, NEW_BOX).status_code == 302
    edited = timezone.now()
    with schema_context(shop.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            _paid(contract, 2, edited - timedelta(minutes=5))  # paid before the edit, its box made after it
            _paid(contract, 3, edited + timedelta(days=1))
            _paid(contract, 2, edited + timedelta(days=1))  # reported again: the box already made stays
        assert _box_lines(contract, 1) == sorted(OLD_BOX)
        assert _box_lines(contract, 2) == sorted(OLD_BOX)
        assert _box_lines(contract, 3) == sorted(NEW_BOX)
        assert Fulfilment.objects.filter(contract=contract).count() == 3
        # What the catalog, margins and forecast read is the current set; the old one is kept, ended.
        assert list(PlanBoxItem.objects.filter(plan_version=contract.plan_version)
                    .values_list("warehouse_sku__sku", "quantity", "valid_until")) == [("S-0001", 3, None)]  # fmt: skip
        ended = PlanBoxItem.history.filter(plan_version=contract.plan_version, valid_until__isnull=False)
        assert sorted(ended.values_list("warehouse_sku__sku", "quantity")) == sorted(OLD_BOX)
        rows = PlanBoxItem.history.count()
    refused = _post_box(owner, contract.plan_version, [("S-0001", 0)])
    assert refused.status_code == 400
    with schema_context(shop.schema_name):
        assert PlanBoxItem.history.count() == rows  # a refused edit ends nothing
        assert list(PlanBoxItem.objects.filter(plan_version=contract.plan_version).values_list("quantity", flat=True)) == [3]


def test_the_box_editor_says_when_a_change_applies(shop, linked):
    with schema_context(shop.schema_name):
        product_save(sku="FC-0002", price_minor=50_000)
        contract = contract_create()
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    url = f"/manage/catalog/plans/{contract.plan_version.pk}/box/"
    english = owner.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A change applies from the next paid period: months already paid ship the items the box held when they were paid" in english
    chinese = owner.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "修改从下一个已付款的期开始生效" in chinese
