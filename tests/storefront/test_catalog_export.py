"""The catalog export holds what the list shows: the same search and category, every page,
the SKUs not on sale too, each saying whether it is on sale."""
import csv
import io

from django_tenants.utils import schema_context

from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import WarehouseSku
from pawpact.workspace.enums import Role
from tests.workspace.conftest import client_for, staff_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_matches_the_filtered_list_across_pages(shop, linked):
    base = WarehouseSku.objects.filter(warehouse=linked).order_by("sku").first()
    extra = [WarehouseSku(warehouse=linked, sku=f"ZZ-{n:04d}", name=f"测试猫砂 {n}", name_en=f"Zebra test {n}",
                          category=base.category, unit=base.unit, cost_minor=1_000, available=5) for n in range(30)]
    WarehouseSku.objects.bulk_create(extra)
    with schema_context(shop.schema_name):
        product_save(sku="ZZ-0003", price_minor=2_000)
        product_save(sku="ZZ-0004", price_minor=2_500, is_listed=False)
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    query = f"q=zebra&category={base.category}"
    first = owner.get(f"/manage/catalog/?{query}", **EN).content.decode()
    assert first.count('data-on-sale="') == 25 and "page=2" in first  # the list has two pages
    rows = _csv(owner.get(f"/manage/catalog/export/?{query}&export=csv", **EN))
    assert rows[0][-1] == "On sale" and len(rows) == 31
    by_sku = {row[0]: row for row in rows[1:]}
    assert (by_sku["ZZ-0003"][6], by_sku["ZZ-0003"][-1]) == ("20.00", "On sale")
    assert (by_sku["ZZ-0004"][6], by_sku["ZZ-0004"][-1]) == ("25.00", "Not listed")
    assert (by_sku["ZZ-0010"][6], by_sku["ZZ-0010"][-1]) == ("", "Not on sale")
    page = owner.get(f"/manage/catalog/?{query}&page=1", **EN).content.decode()
    row = page[page.index("ZZ-0010"):page.index("ZZ-0011")]
    assert 'data-on-sale="no"' in row and "Not on sale" in row and "List when saved" in row
