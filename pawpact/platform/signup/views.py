"""The public signup page: the owner's account, the shop and its trial in one step."""
from allauth.account.utils import complete_signup
from allauth.account.views import SignupView
from django.conf import settings
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from pawpact.core.errors import DomainError
from pawpact.platform.signup.forms import ShopSignupForm
from pawpact.platform.signup.services import shop_signup
from pawpact.tenants.services import shop_domain
from pawpact.tenants.views import handoff_url


class ShopSignupView(SignupView):
    """Owner and shop in one step; the browser lands logged in at the shop's back office."""

    form_class = ShopSignupForm
    template_name = "tenants/signup.html"

    def get_form_class(self):
        return ShopSignupForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "base_domain": settings.PAWPACT_BASE_DOMAIN}

    def form_valid(self, form):
        data = form.cleaned_data
        if getattr(form, "account_already_exists", False):
            # An owner lands in a shop provisioned on the spot, so a known address cannot be
            # answered like a new one here (allauth's mail-only answer needs verification first).
            form.add_error("email", _("A user is already registered with this email address."))
            return self.form_invalid(form)
        try:
            signed_up = shop_signup(
                owner_create=lambda: form.save(self.request),
                shop_name=data["shop_name"],
                slug=data["slug"],
                saas_plan_code=data["saas_plan"],
            )
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
        host = _host_with_port(self.request, shop_domain(signed_up.shop.slug))
        ticket = handoff_url(self.request, host=host, token=signed_up.handoff_token)
        complete_signup(self.request, signed_up.owner, settings.ACCOUNT_EMAIL_VERIFICATION, ticket)
        return HttpResponseRedirect(ticket)


def _host_with_port(request, host: str) -> str:
    port = request.get_port()
    return host if port in ("80", "443") else f"{host}:{port}"
