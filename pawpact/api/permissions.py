from rest_framework.permissions import BasePermission


class IsShopStaff(BasePermission):
    """Staff of the shop whose host this is (users exist per shop schema)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
