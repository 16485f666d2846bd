"""The console's committed demand shows this month and the next two (a month without boxes as
0), sums every shop that has boxes due, says when it was computed and names products in the
viewer's language."""
from datetime import timedelta

from django.utils import timezone

from pawpact.accounts.models import User
from pawpact.core.clock import default_clock
from pawpact.warehouses.forecast import committed_demand, month_starts
from pawpact.warehouses.models import Forecast, WarehouseSku
from tests.conftest import SHOP_PASSWORD


def test_three_months_every_shop_and_when_computed(shop, other_shop, linked, public_client):
    this, _next, after, _end = month_starts(default_clock.today())
    sku = WarehouseSku.objects.get(warehouse=linked, sku="FC-0002")
    earlier = timezone.now() - timedelta(hours=5)
    Forecast.objects.bulk_create([
        Forecast(warehouse=linked, shop=shop, sku=sku, month=this, quantity=8, computed_at=earlier),
        Forecast(warehouse=linked, shop=other_shop, sku=sku, month=this, quantity=3),
        Forecast(warehouse=linked, shop=other_shop, sku=sku, month=after, quantity=2),
    ])  # fmt: skip
    months, rows = committed_demand(warehouse=linked, months=[this, _next, after])
    assert months == [this, _next, after] and [(r.sku, r.by_month) for r in rows] == [("FC-0002", [11, 0, 2])]
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    page = public_client.get(f"/console/warehouses/{linked.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for month in (this, _next, after):
        assert f"<th>{month:%Y-%m}</th>" in page
    assert f"<td>{sku.name_en}</td><td>11</td><td>0</td><td>2</td><td>13</td>" in page and sku.name not in page
    assert "Counts 2 shops with boxes due; last computed at" in page and f"the oldest at {timezone.localtime(earlier):%Y-%m-%d %H:%M}" in page
    zh = public_client.get(f"/console/warehouses/{linked.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"<td>{sku.name}</td>" in zh and sku.name_en not in zh
