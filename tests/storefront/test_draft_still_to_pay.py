"""A plan applied for (a draft, no debit calendar yet) shows its whole cost as still to pay, not ¥0."""
import re

from django_tenants.utils import schema_context

from pawpact.billing.models import Contract, DebitPeriod
from tests.storefront.test_plan_apply import _customer_and_plan

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_draft_still_owes_its_total(shop):
    web, version, _customer = _customer_and_plan(shop)
    web.post(f"/shop/plans/{version.plan.code}/apply/", {"pet": "new", "pet_name": "Mimi", "species": "cat"}, **EN)
    with schema_context(shop.schema_name):
        contract = Contract.objects.get()
        assert contract.status == "draft" and not DebitPeriod.objects.filter(contract=contract).exists()
    page = web.get("/my/plans/", **EN).content.decode()
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    total = f"¥{contract.total_minor / 100:,.2f}"
    assert contract.total_minor > 0 and facts["Still to pay"] == total and facts["Total cost"] == total
    assert facts["Paid so far"] == "¥0.00"
