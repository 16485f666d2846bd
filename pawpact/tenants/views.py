from django.contrib.auth import login
from django.shortcuts import redirect, render

from pawpact.tenants.services import login_handoff_redeem


def public_home(request):
    return render(request, "tenants/public_home.html")


def shop_home(request):
    return render(request, "tenants/shop_home.html", {"shop": request.tenant})


def login_handoff(request, token: str):
    """Redeem a signup ticket on the shop's own host, then open the back office."""
    user = login_handoff_redeem(shop=request.tenant, token=token)
    if user is None:
        return render(request, "tenants/handoff_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("admin:index")
