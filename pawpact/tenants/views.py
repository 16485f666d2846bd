from allauth.account.utils import complete_signup
from allauth.account.views import SignupView
from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pawpact.core.errors import DomainError
from pawpact.platform.saas.services import saas_plans_seed, subscription_start
from pawpact.tenants.forms import ShopSignupForm
from pawpact.tenants.services import login_handoff_issue, login_handoff_redeem, shop_domain, shop_provision


def public_home(request):
    return render(request, "tenants/public_home.html")


class ShopSignupView(SignupView):
    """Owner and shop in one step; the browser lands logged in at the shop's back office."""

    form_class = ShopSignupForm
    template_name = "tenants/signup.html"

    def get_form_class(self):
        return ShopSignupForm

    def dispatch(self, request, *args, **kwargs):
        saas_plans_seed()  # SAAS: the plans the form offers exist (idempotent)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "base_domain": settings.PAWPACT_BASE_DOMAIN}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                owner = form.save(self.request)
                shop = shop_provision(name=data["shop_name"], slug=data["slug"], owner=owner)
                subscription_start(shop=shop, plan_code=data["saas_plan"])  # SAAS: the free trial
                token = login_handoff_issue(shop=shop, email=owner.email)
        except DomainError as error:
            for field, messages in error.fields.items():
                for message in messages:
                    form.add_error(field, message)
            form.add_error(None, error.message)
            return self.form_invalid(form)
        except IntegrityError:
            # Another signup took this email between validation and saving.
            form.add_error("email", _("A user is already registered with this email address."))
            return self.form_invalid(form)
        handoff_url = f"{self.request.scheme}://{_host_with_port(self.request, shop_domain(shop.slug))}/handoff/{token}/"
        complete_signup(self.request, owner, settings.ACCOUNT_EMAIL_VERIFICATION, handoff_url)
        return HttpResponseRedirect(handoff_url)


def _host_with_port(request, host: str) -> str:
    port = request.get_port()
    return host if port in ("80", "443") else f"{host}:{port}"


def shop_home(request):
    return render(request, "tenants/shop_home.html", {"shop": request.tenant})


def login_handoff(request, token: str):
    """Redeem a signup ticket on the shop's own host, then open the back office."""
    user = login_handoff_redeem(shop=request.tenant, token=token)
    if user is None:
        return render(request, "tenants/handoff_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("admin:index")
