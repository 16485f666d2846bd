from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission, IsAdminUser


class IsShopStaff(BasePermission):
    """Staff of the shop whose host this is (users exist per shop schema)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


def staff_may(action: str) -> type[BasePermission]:
    """Shop staff whose role allows `action`, the same table the workspace's pages check
    (settings.PAWPACT_STAFF_ROLE_ALLOWS: (user, action) -> bool; the API sits beside the
    workspace and does not import it). Others: 403 in the API's error shape."""

    class StaffMay(IsShopStaff):
        message = _("Your role does not allow this. Ask the shop's owner.")

        def has_permission(self, request, view) -> bool:
            allows = import_string(settings.PAWPACT_STAFF_ROLE_ALLOWS)
            return super().has_permission(request, view) and allows(user=request.user, action=action)

    StaffMay.__name__ = f"StaffMay_{action}"
    return StaffMay


class IsPlatformAdmin(IsAdminUser):
    """Staff of the public schema, on the public site."""

    def has_permission(self, request, view) -> bool:
        return connection.schema_name == get_public_schema_name() and super().has_permission(request, view)
