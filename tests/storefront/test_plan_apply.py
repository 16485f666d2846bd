"""A plan page's Apply leads to an application for that plan: for one of the customer's pets or
one they add; nothing is written on a refusal; /adopt/ keeps the shop's bottom tab bar."""
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.customers.models import Pet
from tests.billing.debits.factories import plan_version_create
from tests.storefront.conftest import customer_with_address
from tests.workspace.conftest import client_for

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _customer_and_plan(shop, email="plan@alpha.test", phone="13800138000"):
    with schema_context(shop.schema_name):
        version = plan_version_create()
        customer = customer_with_address(phone=phone)
        customer.user = User.objects.create_user(email, "pw-long-enough-1")
        customer.save(update_fields=["user"])
    return client_for(shop, customer.user), version, customer


def test_apply_from_the_plan_page_for_a_pet_added_there(shop):
    web, version, customer = _customer_and_plan(shop)
    code = version.plan.code
    plan_page = web.get(f"/shop/plans/{code}/", **EN).content.decode()
    assert f'href="/shop/plans/{code}/apply/"' in plan_page
    form = web.get(f"/shop/plans/{code}/apply/", **EN).content.decode()
    assert "Another pet of mine" in form and "sf-bar" in form
    missing = web.post(f"/shop/plans/{code}/apply/", {"pet": "new", "pet_name": "", "species": "cat"}, **EN)
    assert missing.status_code == 400 and "Give your pet&#x27;s name." in missing.content.decode()
    with schema_context(shop.schema_name):
        assert (Pet.objects.count(), Contract.objects.count()) == (0, 0)
    done = web.post(f"/shop/plans/{code}/apply/", {"pet": "new", "pet_name": "Mimi", "species": "cat"}, **EN)
    assert done.status_code == 302 and done["Location"].startswith("/my")
    with schema_context(shop.schema_name):
        contract = Contract.objects.select_related("pet").get()
        assert (contract.status, contract.plan_version_id, contract.customer_id) == (
            ContractStatus.DRAFT, version.pk, customer.pk)
        assert (contract.pet.name, contract.pet.species, contract.pet.owner_id) == ("Mimi", "cat", customer.pk)
        assert contract.monthly_amount_minor == version.monthly_price_minor
    again = web.get(f"/shop/plans/{code}/apply/", **EN).content.decode()
    assert "Mimi" not in again  # already under an open contract


def test_an_existing_pet_is_chosen_and_anothers_pet_cannot_be(shop):
    web, version, customer = _customer_and_plan(shop)
    _, _, other = _customer_and_plan(shop, email="other@alpha.test", phone="13900139000")
    with schema_context(shop.schema_name):
        mine = Pet.objects.create(owner=customer, name="Dudu", species="dog")
        theirs = Pet.objects.create(owner=other, name="Huahua", species="cat")
    url = f"/shop/plans/{version.plan.code}/apply/"
    assert "Huahua" not in web.get(url, **EN).content.decode()
    refused = web.post(url, {"pet": str(theirs.uuid)}, **EN)
    assert refused.status_code == 400
    with schema_context(shop.schema_name):
        assert Contract.objects.count() == 0
    assert web.post(url, {"pet": str(mine.uuid)}, **EN).status_code == 302
    with schema_context(shop.schema_name):
        assert list(Contract.objects.values_list("pet__name", flat=True)) == ["Dudu"]


def test_another_shops_plan_is_not_found_and_adopt_has_the_tab_bar(shop, other_shop):
    _web, version, _customer = _customer_and_plan(shop)
    other_web, _v, _c = _customer_and_plan(other_shop, email="b@beta.test")
    assert other_web.get(f"/shop/plans/{version.plan.code}/apply/").status_code == 404
    with schema_context(other_shop.schema_name):
        assert Contract.objects.count() == 0
    adopt = client_for(shop).get("/adopt/", **EN).content.decode()
    assert 'class="sf-bar"' in adopt
