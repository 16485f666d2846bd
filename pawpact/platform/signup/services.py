"""Opening a shop: one service, one transaction (the form and the view only call it)."""
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from pawpact.accounts.models import User
from pawpact.platform.saas.services import subscription_start
from pawpact.tenants.models import Shop
from pawpact.tenants.services import login_handoff_issue, shop_provision


@dataclass(frozen=True)
class SignedUp:
    owner: User
    shop: Shop
    handoff_token: str  # exchanged once on the shop's host for a logged-in session


def shop_signup(*, owner_create: Callable[[], User], shop_name: str, slug: str, saas_plan_code: str) -> SignedUp:
    """The owner's account (made by `owner_create`, allauth's form), the shop with its schema,
    the Pawpact plan's free trial and a login ticket for the shop's host, all or nothing."""
    with transaction.atomic():
        owner = owner_create()
        shop = shop_provision(name=shop_name, slug=slug, owner=owner)
        subscription_start(shop=shop, plan_code=saas_plan_code)
        token = login_handoff_issue(shop=shop, email=owner.email)
    return SignedUp(owner=owner, shop=shop, handoff_token=token)
