from allauth.account.adapter import get_adapter
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from pawpact.accounts.models import User


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login of the public site and of every shop, through allauth's
    authentication: its failed-login limit (per address and per account) applies here as
    on the site's own login, so the admin is no side door for password guessing."""

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password:
            # Raises ValidationError ("too many failed login attempts") once over the limit.
            self.user_cache = get_adapter(self.request).authenticate(self.request, email=email, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = LockoutAdminAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "phone", "is_staff", "is_active"]
    search_fields = ["email", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "phone"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]
