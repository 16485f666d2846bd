"""Admin building blocks shared by the shop apps' back-office pages."""
from django import forms
from django.contrib import admin
from django.db import connection
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from pawpact.core.errors import DomainError
from pawpact.core.money import Money


def _in_shop() -> bool:
    return connection.schema_name != get_public_schema_name()


class ShopOnlyAdmin(admin.ModelAdmin):
    """Hidden and refused on the public site, where the shop tables do not exist; never deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _in_shop() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _in_shop() and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _in_shop() and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _in_shop() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def money_column(field: str, label):
    """An admin column showing the `*_minor` field `field` as money in the row's currency."""

    @admin.display(description=label)
    def column(self, obj) -> str:
        return money_display(getattr(obj, field), obj.currency)

    return column


def money_display(amount_minor: int | None, currency: str = "CNY") -> str:
    return "" if amount_minor is None else Money(amount_minor, currency).format()


def add_domain_errors(form: forms.ModelForm, error: DomainError) -> None:
    """Show a service's refusal next to the fields it names (or on top of the form)."""
    if not error.fields:
        form.add_error(None, error.message)
    for field, problems in error.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
