"""Fixtures of the workspace tests: staff of each role, a customer with a pet, a browser-like client."""
from datetime import date

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.customers.services import customer_create, pet_create
from pawpact.workspace.enums import Role
from pawpact.workspace.models import StaffRole
from tests.conftest import SHOP_PASSWORD, host_of


def staff_user(shop, role: Role, email: str | None = None) -> User:
    """A staff member of `shop` with `role` (the owner is the shop's administrator account)."""
    with schema_context(shop.schema_name):
        if role == Role.OWNER:
            return User.objects.get(email=shop.owner.email)
        user = User.objects.create_user(
            email or f"{role}@{shop.slug}.test", SHOP_PASSWORD, name=f"{role} of {shop.slug}", is_staff=True
        )
        StaffRole.objects.create(user=user, role=role)
        return user


def client_for(shop, user: User | None = None) -> Client:
    client = Client(HTTP_HOST=host_of(shop))
    if user is not None:
        with schema_context(shop.schema_name):
            client.force_login(user)
    return client


@pytest.fixture
def owner_client(shop):
    return client_for(shop, staff_user(shop, Role.OWNER))


@pytest.fixture
def clerk_client(shop):
    return client_for(shop, staff_user(shop, Role.CLERK))


@pytest.fixture
def manager_client(shop):
    return client_for(shop, staff_user(shop, Role.MANAGER))


@pytest.fixture
def adopter(shop):
    """A customer (phone ending 999: sandbox credit score 950, no deposit) and a pet of the shop."""
    with schema_context(shop.schema_name):
        customer = customer_create(name="Wang Fang", phone="13800138999", birth_date=date(1990, 5, 1))
        pet = pet_create(name="Mimi", species="cat", breed="British shorthair")
    return customer, pet
