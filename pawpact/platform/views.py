from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.platform.funding.selectors import drain_lag_list
from pawpact.platform.selectors import shop_list
from pawpact.tenants.enums import ShopState
from pawpact.tenants.services import shop_set_state

_ACTIONS = {"deactivate": ShopState.DEACTIVATED, "reactivate": ShopState.ACTIVE}
MAINTENANCE = "maintenance"


@staff_required
def console_shops(request):
    shops = shop_list()
    state = request.GET.get("state")
    if state in ShopState.values:
        shops = shops.filter(state=state)
    elif state == MAINTENANCE:
        # Not a state of its own: a shop of any state whose deploy migration failed is behind a maintenance page.
        shops = shops.exclude(migration_error="")
    page = Paginator(shops, 50).get_page(request.GET.get("page"))
    context = {"page": page, "states": [*ShopState.choices, (MAINTENANCE, _("Maintenance: migration failed"))], "state": state}
    # How far behind each listed shop's outbox drain is, read from public tables only.
    context["outbox_lag"] = drain_lag_list(now=default_clock.now(), shop_ids=[shop.pk for shop in page])
    return render(request, "platform/shops.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def console_shop_state(request, shop_id: int, action: str):
    """Deactivating asks first, with the reason the owner will read; reactivating is one click."""
    shop = get_object_or_404(shop_list(), pk=shop_id)
    target = _ACTIONS.get(action)
    if target is None:
        messages.error(request, _("Unknown action."))
        return redirect("console_shops")
    if target == ShopState.DEACTIVATED and (request.method == "GET" or not request.POST.get("reason", "").strip()):
        context = {"shop": shop, "failed": request.method == "POST", "support_email": settings.PAWPACT_SUPPORT_EMAIL}
        return render(request, "platform/shop_deactivate.html", context, status=400 if context["failed"] else 200)
    if request.method == "GET":
        return redirect("console_shops")
    try:
        shop_set_state(shop=shop, state=target, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(shop)s is now %(state)s.") % {"shop": shop.name, "state": target.label})
    return redirect("console_shops")
