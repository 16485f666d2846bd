from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.utils.http import url_has_allowed_host_and_scheme

WORKSPACE_URL = "/manage/"
CUSTOMER_HOME_URL = "/my/plans/"
CONSOLE_URL = "/console/"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Owners sign up (with their shop) on the public site only; shops add their own people."""
        tenant = getattr(request, "tenant", None)
        return tenant is not None and tenant.is_platform

    def is_safe_url(self, url: str) -> bool:
        """Redirects after login stay on the host that was called: any visitor can own a
        subdomain of the base domain (by signing up a shop), so a sibling host is not safe."""
        request = context.request
        return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())

    def get_login_redirect_url(self, request) -> str:
        """On a shop's host staff land in the workspace and customers on their plans; on the
        public site platform admins land in the console, owners on its home page, which offers
        their shops."""
        tenant = getattr(request, "tenant", None)
        if request.GET.get("next") or request.POST.get("next"):
            return super().get_login_redirect_url(request)
        if tenant is not None and tenant.is_platform and request.user.is_staff:
            return CONSOLE_URL
        if tenant is None or tenant.is_platform:
            return super().get_login_redirect_url(request)
        return WORKSPACE_URL if request.user.is_staff else CUSTOMER_HOME_URL
