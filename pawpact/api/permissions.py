from django.db import connection
from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission, IsAdminUser


class IsShopStaff(BasePermission):
    """Staff of the shop whose host this is (users exist per shop schema)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsPlatformAdmin(IsAdminUser):
    """Staff of the public schema, on the public site."""

    def has_permission(self, request, view) -> bool:
        return connection.schema_name == get_public_schema_name() and super().has_permission(request, view)
