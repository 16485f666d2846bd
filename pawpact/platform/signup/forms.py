from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from pawpact.core.money import Money
from pawpact.core.text import refuse_invisible
from pawpact.platform.saas.plans import DEFAULT_PLAN_CODE
from pawpact.platform.saas.selectors import saas_plan_list
from pawpact.tenants.models import Shop
from pawpact.tenants.slugs import validate_slug

_PHONE_HELP = _("Digits, optionally starting with +, 6 to 20 characters.")


class SaasPlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, plan) -> str:
        price = Money(plan.monthly_price_minor, plan.currency).format()
        if plan.max_contracts:
            limit = _("up to %(count)s active contracts") % {"count": plan.max_contracts}
        else:
            limit = _("unlimited contracts")
        trial = _("%(days)s-day free trial") % {"days": plan.trial_days}
        return _("%(name)s: %(price)s/month, %(limit)s, %(trial)s") % {
            "name": plan.name, "price": price, "limit": limit, "trial": trial,
        }  # fmt: skip


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

    # The shop's Pawpact plan (SAAS); left out, it is Starter. The plans are seeded by the view.
    saas_plan = SaasPlanChoiceField(
        label=_("Pawpact plan"),
        queryset=saas_plan_list(),
        to_field_name="code",
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Pay nothing during the free trial; change your payment method any time."),
    )

    field_order = ["shop_name", "slug", "owner_name", "email", "phone", "password1", "password2", "saas_plan"]

    def __init__(self, *args, base_domain: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": base_domain}
        self.fields["saas_plan"].queryset = saas_plan_list()
        self.fields["saas_plan"].initial = DEFAULT_PLAN_CODE

    def clean_saas_plan(self) -> str:
        """The chosen plan's code (Starter when none was sent)."""
        plan = self.cleaned_data.get("saas_plan")
        return plan.code if plan is not None else DEFAULT_PLAN_CODE

    def clean_shop_name(self) -> str:
        name = self.cleaned_data["shop_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your shop's name."))
        refuse_invisible(name)  # customers see it: it must read as what it is
        return name

    def clean_owner_name(self) -> str:
        name = self.cleaned_data["owner_name"]
        refuse_invisible(name)
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
