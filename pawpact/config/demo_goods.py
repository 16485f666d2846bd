"""Goods for the demo shops: the sandbox warehouse that `./dev run` starts is registered,
checked (which gives it our callback address), its catalog imported, each demo shop linked
to it and a few dozen of its products put on sale. Run once the warehouse process is up;
every step is skipped when already done, so it runs at every start."""
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django_tenants.utils import tenant_context

from pawpact.config.demo import DEMO_SHOPS
from pawpact.config.demo_boxes import demo_boxes_load
from pawpact.core.links import site_url
from pawpact.storefront.models import Product
from pawpact.storefront.services.catalog import product_save
from pawpact.tenants.models import Shop
from pawpact.warehouses.enums import WarehouseStatus
from pawpact.warehouses.models import Warehouse, WarehouseLink, WarehouseSku
from pawpact.warehouses.services import catalog_import_run, catalog_import_start, shop_link, warehouse_check, warehouse_register

CODE = "sandbox"
PER_CATEGORY = 8  # products put on sale per category, in each demo shop
MARKUP_PERCENT = 180  # the shop's price: 1.8 × cost, above the 35% margin warning


@dataclass
class GoodsReport:
    notes: list[str] = field(default_factory=list)
    say: Callable[[str], None] | None = None  # shows each note as it happens (the run command's console)

    def add(self, note: str) -> None:
        self.notes.append(note)
        if self.say is not None:
            self.say(note)


def demo_goods_load(*, wait_seconds: float = 60, slugs: list[str] | None = None, base_url: str = "",
                    say: Callable[[str], None] | None = None) -> GoodsReport:  # fmt: skip
    """`slugs`: the shops to stock (the demo shops by default); `base_url`: the warehouse's
    address (PAWPACT_WAREHOUSE_HOST and _PORT, as the run command starts it, by default)."""
    report = GoodsReport(say=say)
    secret = os.environ.get("PAWPACT_WAREHOUSE_SECRET", "")
    if not secret:
        report.add("No PAWPACT_WAREHOUSE_SECRET: the sandbox warehouse is not registered.")
        return report
    warehouse = Warehouse.objects.filter(code=CODE).first() or warehouse_register(
        code=CODE, name="Sandbox Cloud Warehouse 沙箱云仓", base_url=base_url or _base_url(), key_id="sandbox", secret=secret)  # fmt: skip
    callback = site_url(settings.PAWPACT_BASE_DOMAIN,
                        reverse("warehouse_callback", args=[warehouse.code], urlconf=settings.PUBLIC_SCHEMA_URLCONF))  # fmt: skip
    deadline = time.monotonic() + wait_seconds
    while not (check := warehouse_check(warehouse=warehouse, callback_url=callback)).ok:
        if time.monotonic() > deadline:
            report.add(f"The sandbox warehouse did not answer: {check.message}")
            return report
        time.sleep(2)
    if warehouse.status != WarehouseStatus.ACTIVE or not WarehouseSku.objects.filter(warehouse=warehouse).exists():
        report.add("Importing the sandbox warehouse's catalog…")
        catalog_import_run(run=catalog_import_start(warehouse=warehouse))
        warehouse.refresh_from_db()
        report.add(f"Imported {WarehouseSku.objects.filter(warehouse=warehouse).count()} SKUs.")
    for shop in Shop.objects.filter(slug__in=slugs if slugs is not None else [demo.slug for demo in DEMO_SHOPS]):
        if not WarehouseLink.objects.filter(shop=shop).exists():
            shop_link(shop=shop, warehouse=warehouse)
        with tenant_context(shop):
            if not Product.objects.exists():
                report.add(f"{shop.slug}: {_products_list(warehouse)} products on sale.")
            for note in demo_boxes_load():
                report.add(f"{shop.slug}: {note}.")
    return report


def _products_list(warehouse: Warehouse) -> int:
    count = 0
    # order_by("category"): the model's default ordering would make DISTINCT see every SKU as
    # its own "category", putting each category's first products on sale once per SKU.
    categories = WarehouseSku.objects.filter(warehouse=warehouse).order_by("category").values_list("category", flat=True)
    for category in categories.distinct():
        skus = WarehouseSku.objects.filter(warehouse=warehouse, category=category, is_active=True, available__gt=0)
        for sku in skus.order_by("sku")[:PER_CATEGORY]:
            product_save(sku=sku.sku, price_minor=sku.cost_minor * MARKUP_PERCENT // 100)
            count += 1
    return count


def _base_url() -> str:
    host = os.environ.get("PAWPACT_WAREHOUSE_HOST", "127.0.0.1")
    return f"http://{host}:{os.environ.get('PAWPACT_WAREHOUSE_PORT', '8700')}"

