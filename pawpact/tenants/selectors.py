"""Reads of shops that every layer shares."""
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop


def shop_ready_list() -> QuerySet[Shop]:
    """Shops whose scheduled jobs run: active, and not the public site's row."""
    return Shop.objects.filter(state=ShopState.ACTIVE).exclude(schema_name=get_public_schema_name()).order_by("id")
