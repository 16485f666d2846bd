from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from pawpact.tenants.models import Shop
from pawpact.tenants.services import login_handoff_issue, login_handoff_redeem, shop_domain


def public_home(request):
    """The public site; a logged-in owner sees their shops, each one click from its workspace."""
    shops = Shop.objects.filter(owner=request.user).order_by("name") if request.user.is_authenticated else []
    return render(request, "tenants/public_home.html", {"shops": shops})


@require_POST
def shop_open(request, slug: str):
    """An owner on the public site opens one of their shops: a one-time ticket to its workspace."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    shop = Shop.objects.filter(owner=request.user, slug=slug).first()
    if shop is None:
        raise Http404
    token = login_handoff_issue(shop=shop, email=request.user.email)
    port = request.get_port()
    host = shop_domain(shop.slug) if port in ("80", "443") else f"{shop_domain(shop.slug)}:{port}"
    return HttpResponseRedirect(handoff_url(request, host=host, token=token))


def handoff_url(request, *, host: str, token: str) -> str:
    """The ticket's address on the shop's host, carrying the reader's language: the language
    cookie belongs to the public host and does not travel to the shop's."""
    return f"{request.scheme}://{host}/handoff/{token}/?{urlencode({'lang': get_language()})}"


def shop_home(request):
    return render(request, "tenants/shop_home.html", {"shop": request.tenant})


def login_handoff(request, token: str):
    """Redeem a signup ticket on the shop's own host, then open the back office."""
    user = login_handoff_redeem(shop=request.tenant, token=token)
    if user is None:
        return render(request, "tenants/handoff_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = redirect("workspace:overview")
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
