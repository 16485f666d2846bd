from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from pawpact.tenants.models import Shop
from pawpact.tenants.slugs import validate_slug

_PHONE_HELP = _("Digits, optionally starting with +, 6 to 20 characters.")


class ShopSignupForm(SignupForm):
    """allauth's signup with the shop's details; the owner's account and the shop are made together."""

    shop_name = forms.CharField(label=_("Shop name"), max_length=120)
    slug = forms.CharField(
        label=_("Shop address"),
        validators=[validate_slug],  # length too, so one message covers every rule
        help_text=_("Lowercase letters, digits and hyphens; your shop will live at <address>.%(domain)s"),
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=150)
    phone = forms.RegexField(
        label=_("Phone"), regex=r"^\+?[0-9]{6,20}$", help_text=_PHONE_HELP,
        error_messages={"invalid": _PHONE_HELP},
    )  # fmt: skip

    field_order = ["shop_name", "slug", "owner_name", "email", "phone", "password1", "password2"]

    def __init__(self, *args, base_domain: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": base_domain}

    def clean_shop_name(self) -> str:
        name = self.cleaned_data["shop_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your shop's name."))
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Shop.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This address is taken."), code="taken")
        return slug

    def save(self, request):
        user = super().save(request)
        user.name = self.cleaned_data["owner_name"]
        user.phone = self.cleaned_data["phone"]
        user.save(update_fields=["name", "phone"])
        return user
