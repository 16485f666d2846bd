"""The workspace frame: who may open a page, and the left menu every page shows."""
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.workspace.enums import Action, Role
from pawpact.workspace.roles import role_allows, role_of


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str
    action: Action = Action.VIEW
    owner_only: bool = False
    # An area whose main page needs more than `action`: roles without `full_action` land on
    # the part of it they work in (clerks hand over mall rewards and take stored value).
    full_action: Action | None = None
    limited_url_name: str = ""


# In business terms, in the order the shop works.
MENU = (
    MenuItem("overview", _("Overview"), "workspace:overview"),
    MenuItem("signings", pgettext_lazy("workspace menu", "Signings"), "workspace:signings"),
    MenuItem("customers", _("Customers & pets"), "workspace:customers"),
    MenuItem("pets", _("Pets & adoptions"), "workspace:pets"),
    MenuItem("contracts", _("Contracts"), "workspace:contracts"),
    MenuItem("collections", _("Debits & collections"), "workspace:collections"),
    MenuItem("plans", _("Plans"), "workspace:plans"),
    MenuItem("catalog", _("Catalog"), "storefront:staff_catalog"),
    MenuItem("orders", _("Orders & parcels"), "storefront:staff_parcels"),
    MenuItem("members", _("Members"), "workspace:members"),
    MenuItem("marketing", pgettext_lazy("workspace menu", "Marketing"), "workspace:marketing",
             full_action=Action.MARKETING, limited_url_name="workspace:marketing_redemptions"),
    MenuItem("bookings", _("Bookings"), "workspace:booking_calendar"),
    MenuItem("complaints", _("Complaints"), "workspace:complaints"),
    MenuItem("partners", _("Service partners"), "workspace:partners"),
    MenuItem("settlements", _("Settlements & funding"), "shop_settlements", owner_only=True),
    MenuItem("insights", _("Insights"), "kpi_dashboard", action=Action.INSIGHTS),
    MenuItem("settings", _("Settings"), "workspace:settings", action=Action.SETTINGS),
    MenuItem("webhooks", _("Webhooks"), "workspace:webhooks", action=Action.WEBHOOKS),
)


def menu_for(role: Role, current: str) -> list[dict]:
    items = []
    for item in MENU:
        if not role_allows(role, item.action) or (item.owner_only and role != Role.OWNER):
            continue
        limited = item.full_action is not None and not role_allows(role, item.full_action)
        try:
            url = reverse(item.limited_url_name if limited else item.url_name)
        except NoReverseMatch:
            continue  # an area whose pages are not installed
        items.append({"label": item.label, "url": url, "is_current": item.key == current})
    return items


def forbidden(request, message: str = ""):
    """The 403 page: what the role may not do, inside the frame when the user is staff."""
    return render(
        request,
        "workspace/forbidden.html",
        {"message": message or _("Your role does not allow this. Ask the shop's owner.")},
        status=403,
    )


def workspace_view(action: Action = Action.VIEW, *, section: str):
    """Only shop staff whose role allows `action`; sets request.workspace_role and the menu."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("account_login"))
            role = role_of(request.user)
            if role is None:
                return forbidden(request, _("This page is for the shop's staff."))
            request.workspace_role = role
            request.workspace_menu = menu_for(role, section)
            if not role_allows(role, action):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
