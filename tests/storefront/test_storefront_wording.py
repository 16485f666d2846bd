"""A bilingual scope of use ("中文 / English") shows the reader's half on the shop's pages (the
agreement keeps both); the apply page's Chinese title separates the verb from the plan name."""
from django_tenants.utils import schema_context

from pawpact.billing.models import PlanVersion
from tests.storefront.test_plan_apply import _customer_and_plan

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
SCOPE = "仅用于宠粮、猫砂 / food and litter only"


def test_the_scope_of_use_in_the_readers_language(shop):
    web, version, _customer = _customer_and_plan(shop)
    with schema_context(shop.schema_name):
        PlanVersion.objects.filter(pk=version.pk).update(scope_of_use=SCOPE)
    code = version.plan.code
    for path in ("/shop/", f"/shop/plans/{code}/"):
        english, chinese = web.get(path, **EN).content.decode(), web.get(path, **ZH).content.decode()
        assert "food and litter only" in english and "仅用于宠粮、猫砂" not in english, path
        assert "仅用于宠粮、猫砂" in chinese and "food and litter only" not in chinese, path
    with schema_context(shop.schema_name):
        PlanVersion.objects.filter(pk=version.pk).update(scope_of_use="Food / litter / toys")  # not two languages' halves
    assert "Food / litter / toys" in web.get(f"/shop/plans/{code}/", **ZH).content.decode()
    title = web.get(f"/shop/plans/{code}/apply/", **ZH).content.decode()
    assert f"申请套餐：{version.plan.name}" in title
