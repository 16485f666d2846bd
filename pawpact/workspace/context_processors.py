"""What every page on a shop host may show: the shop's profile, and for staff, the workspace frame.

Pages of other apps that staff open from the workspace's menu (settlements, insights, the
Pawpact subscription, the catalog and parcels) extend `shop_frame` when it is set, so the owner keeps the menu
there too; those apps name a template, never import the workspace.
"""
from django.utils.functional import SimpleLazyObject
from django_tenants.utils import get_public_schema_name

from pawpact.workspace.customer_menu import customer_menu_for
from pawpact.workspace.roles import role_of
from pawpact.workspace.services import shop_profile_get
from pawpact.workspace.views.frame import menu_for

FRAME = "workspace/platform_frame.html"
# Menu entry of the pages other apps serve on the shop host, by their path.
SECTIONS = (
    ("/settlements/", "settlements"), ("/insights/", "insights"), ("/billing/saas/", "settings"),
    ("/manage/catalog/", "catalog"), ("/manage/parcels/", "orders"), ("/manage/orders/", "orders"),
)  # fmt: skip


def _section(path: str) -> str:
    return next((key for prefix, key in SECTIONS if path.startswith(prefix)), "")


def workspace(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return {}
    context = {"shop_profile": SimpleLazyObject(shop_profile_get)}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    if not user.is_staff:
        context["customer_menu"] = customer_menu_for(request.path)
        return context
    if not hasattr(request, "workspace_menu"):
        role = role_of(user)
        if role is None:
            return context
        request.workspace_role = role
        request.workspace_menu = menu_for(role, _section(request.path))
    context["shop_frame"] = FRAME
    return context
