"""Staff register a pet of the shop itself (no owner) from the adoption pages, list it, and it
shows on the public adoption page; bad input writes nothing; nothing crosses shops."""
from django_tenants.utils import schema_context

from pawpact.care.pet_models import AdoptionListing
from pawpact.customers.models import Pet
from pawpact.workspace.enums import Role
from tests.conftest import host_of
from tests.workspace.conftest import adopter, client_for, owner_client, staff_user  # noqa: F401

NEW = {"name": "Snowball", "species": "cat", "breed": "Ragdoll", "birthday": "2025-12-01"}


def test_a_registered_shop_pet_can_be_listed_and_is_on_the_public_page(shop, owner_client):  # noqa: F811
    empty = owner_client.get("/manage/pets/adoptions/").content.decode()
    assert "Register a shop pet" in empty and "signing wizard" not in empty
    created = owner_client.post("/manage/pets/shop-pets/new/", NEW)
    assert created.status_code == 302
    with schema_context(shop.schema_name):
        pet = Pet.objects.get(name="Snowball")
    assert (pet.owner_id, pet.species, pet.breed, str(pet.birthday)) == (None, "cat", "Ragdoll", "2025-12-01")
    assert created["Location"] == f"/manage/pets/adoptions/?pet={pet.uuid}#list"
    listing_page = owner_client.get(created["Location"]).content.decode()
    assert f'<option value="{pet.pk}" selected>' in listing_page
    published = owner_client.post("/manage/pets/adoptions/", {"pet": pet.pk, "headline": "Calm ragdoll", "fee_yuan": "0"})
    assert published.status_code == 302
    with schema_context(shop.schema_name):
        assert AdoptionListing.objects.filter(pet=pet, status="listed").count() == 1
    public = client_for(shop).get("/adopt/")
    assert "Calm ragdoll" in public.content.decode()


def test_a_shop_pet_without_a_name_or_in_the_future_writes_nothing(shop, owner_client):  # noqa: F811
    for bad in ({**NEW, "name": " "}, {**NEW, "birthday": "2099-01-01"}, {**NEW, "species": "dragon"}):
        response = owner_client.post("/manage/pets/shop-pets/new/", bad)
        assert response.status_code == 400
    with schema_context(shop.schema_name):
        assert Pet.objects.count() == 0


def test_a_shop_pet_stays_in_its_shop(shop, other_shop, owner_client):  # noqa: F811
    owner_client.post("/manage/pets/shop-pets/new/", NEW)
    with schema_context(other_shop.schema_name):
        assert not Pet.objects.filter(name="Snowball").exists()
    other = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert "Snowball" not in other.get("/manage/pets/adoptions/").content.decode()
    # The other shop's staff cannot register into this shop: their login does not work on its host.
    foreign = client_for(other_shop, staff_user(other_shop, Role.MANAGER, "m@x.test"))
    foreign.defaults["HTTP_HOST"] = host_of(shop)
    assert foreign.post("/manage/pets/shop-pets/new/", {**NEW, "name": "Intruder"}).status_code in (302, 403)
    with schema_context(shop.schema_name):
        assert not Pet.objects.filter(name="Intruder").exists()


def test_changing_the_owner_without_a_phone_says_so(shop, owner_client, adopter):  # noqa: F811
    customer, pet = adopter
    with schema_context(shop.schema_name):
        Pet.objects.filter(pk=pet.pk).update(owner=customer)
    response = owner_client.post(f"/manage/pets/{pet.uuid}/owner/", {"phone": ""}, follow=True)
    assert "Enter the new owner&#x27;s phone number." in response.content.decode()
    with schema_context(shop.schema_name):
        assert Pet.objects.get(pk=pet.pk).owner_id == customer.pk
