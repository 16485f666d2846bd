from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Owners sign up (with their shop) on the public site only; shops add their own people."""
        tenant = getattr(request, "tenant", None)
        return tenant is not None and tenant.is_platform
