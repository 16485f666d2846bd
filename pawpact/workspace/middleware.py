"""Roles on the pages other apps serve inside the workspace's frame (insights, the Pawpact
subscription): those apps know staff from customers but not the workspace's roles, so the
workspace checks the role by path before their views run."""
from django.core.exceptions import PermissionDenied
from django_tenants.utils import get_public_schema_name

from pawpact.workspace.enums import Action
from pawpact.workspace.roles import role_allows, role_of

GATED = (("/insights/", Action.INSIGHTS), ("/billing/saas/", Action.SUBSCRIPTION))


class ForeignPageRolesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        action = next((action for prefix, action in GATED if request.path.startswith(prefix)), None)
        tenant = getattr(request, "tenant", None)
        if action is not None and tenant is not None and tenant.schema_name != get_public_schema_name():
            role = role_of(request.user)
            if role is not None and not role_allows(role, action):
                raise PermissionDenied
        return self.get_response(request)
