from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from pawpact.tenants.models import Shop


def shop_list() -> QuerySet[Shop]:
    """Every shop (the public site's own row excluded), newest first, with owner and domain."""
    return (
        Shop.objects.exclude(schema_name=get_public_schema_name())
        .select_related("owner")
        .prefetch_related("domains")
        .order_by("-created_at", "-id")
    )
