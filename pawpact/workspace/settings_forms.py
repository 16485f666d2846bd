"""The settings pages' forms: shop profile, debit and collection rules, message limit, staff.

Field names match the services' argument names, so a service's refusal lands on its field.
"""
from decimal import Decimal

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.billing.models import BillingSettings
from pawpact.workspace.enums import Role
from pawpact.workspace.fields import PercentField, YuanField, fen_to_yuan, rate_to_percent
from pawpact.workspace.models import ShopProfile


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=120)
    address = forms.CharField(label=pgettext_lazy("street", "Address"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=80, required=False, help_text=_("e.g. 10:00–21:00 daily"))
    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("PNG, JPEG or WebP, at most 2 MB."))
    logo_clear = forms.BooleanField(label=_("Remove the logo"), required=False)
    licence_number = forms.CharField(
        label=_("Business licence number"), max_length=18, required=False,
        help_text=_("The 18-character unified social credit code."),
    )  # fmt: skip
    licence_file = forms.FileField(label=_("Business licence scan"), required=False, help_text=_("PDF, PNG or JPEG, at most 5 MB."))

    @classmethod
    def initial_for(cls, *, shop, profile: ShopProfile) -> dict:
        return {"name": shop.name, **{field: getattr(profile, field) for field in (
            "address", "contact_phone", "contact_email", "opening_hours", "licence_number")}}  # fmt: skip


ACTIONS = [("sms", _("SMS reminder")), ("call", _("Phone call")), ("visit", _("Visit"))]


class BillingRulesForm(forms.Form):
    reminder_days_before = forms.IntegerField(label=_("Reminder before each debit (days)"), help_text=_("SMS and in-app message."))
    retry_days = forms.CharField(
        label=_("Retry a failed debit on these days after the due date"), max_length=40, required=False,
        help_text=_("Comma-separated, e.g. 1, 3, 5. Empty: no automatic retry."),
    )  # fmt: skip
    grace_days = forms.IntegerField(label=_("Grace days before a customer is overdue"))
    default_after_days = forms.IntegerField(label=_("Overdue days before default"))
    write_off_after_days = forms.IntegerField(label=_("Overdue days before the debt is written off"))
    deferrals_per_contract = forms.IntegerField(label=_("Deferral coupons per contract"))
    winback_first_month_discount = PercentField(
        label=_("Win-back offer: first month discount (%)"), max_digits=5, decimal_places=1,
        help_text=_("Offered to customers whose plan ended, e.g. 50 for half price."),
    )  # fmt: skip

    def clean_retry_days(self):
        raw = self.cleaned_data["retry_days"].replace("，", ",").replace("、", ",")
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Enter whole days separated by commas, e.g. 1, 3, 5.")) from None

    @classmethod
    def initial_for(cls, row: BillingSettings) -> dict:
        initial = {name: getattr(row, name) for name in cls.base_fields}
        initial["retry_days"] = ", ".join(str(day) for day in row.retry_days)
        initial["winback_first_month_discount"] = rate_to_percent(row.winback_first_month_discount)
        return initial


class EscalationRowForm(forms.Form):
    day = forms.IntegerField(label=_("Day overdue"), min_value=1, max_value=90, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)

    def step(self) -> dict | None:
        day = self.cleaned_data.get("day")
        return {"day": day, "action": self.cleaned_data["action"]} if day else None


RENEWAL_PERIODS = [(str(n), str(n)) for n in range(12, 25)]


class RenewalRowForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    periods = forms.ChoiceField(label=_("Renewal of (periods)"), choices=RENEWAL_PERIODS, initial="12")
    label = forms.CharField(label=_("Reward"), max_length=80, required=False)
    free_months = forms.IntegerField(label=_("Free months"), min_value=0, max_value=6, required=False)
    discount = PercentField(label=_("Monthly discount (%)"), min_value=Decimal(0), max_value=Decimal(49), required=False)
    gift_value = YuanField(label=_("Gift value (¥)"), allow_zero=True, required=False)

    def option(self, existing: dict[str, dict]) -> tuple[str, dict] | None:
        data = self.cleaned_data
        label = (data.get("label") or "").strip()
        if not label:
            return None
        key = data.get("key") or slugify(label)[:30] or "reward"
        kept = existing.get(key, {})
        return data["periods"], {
            "key": key, "label": label, "free_months": data.get("free_months") or 0,
            "discount_rate": str(data.get("discount") or Decimal("0")), "gift_value_minor": data.get("gift_value") or 0,
            "services": kept.get("services", []), "gifts": kept.get("gifts", []),
        }  # fmt: skip


class _Rows(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every posted row is read, also one left as it was shown (Django would skip an
        # unchanged extra row; blank rows are dropped by the row's own rule).
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label or ""))


EscalationRows = forms.formset_factory(EscalationRowForm, formset=_Rows, extra=1, max_num=10)
RenewalRows = forms.formset_factory(RenewalRowForm, formset=_Rows, extra=1, max_num=8)


def renewal_rows_initial(rewards: dict) -> list[dict]:
    rows = []
    for periods, options in sorted(rewards.items(), key=lambda item: int(item[0])):
        for option in options:
            rows.append({
                "key": option.get("key"), "periods": str(periods), "label": option.get("label"),
                "free_months": option.get("free_months") or 0,
                "discount": rate_to_percent(Decimal(str(option.get("discount_rate") or "0"))),
                "gift_value": fen_to_yuan(option.get("gift_value_minor") or 0),
            })  # fmt: skip
    return rows


def renewal_rewards_from(rows, existing: dict) -> dict[str, list[dict]]:
    """The rows as BillingSettings.renewal_rewards; services and gifts kept by key."""
    by_key = {option.get("key"): option for options in existing.values() for option in options}
    rewards: dict[str, list[dict]] = {}
    for form in rows.forms:
        found = form.option(by_key)
        if found:
            periods, option = found
            rewards.setdefault(periods, []).append(option)
    return rewards


class MessagingForm(forms.Form):
    marketing_messages_per_day = forms.IntegerField(
        label=_("Marketing messages per customer per day"),
        help_text=_("Offers and campaigns only; reminders, codes and receipts are never held back. 0 sends none."),
    )  # fmt: skip


class StaffAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"), help_text=_("An invitation to set a password is sent here."))
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.CLERK, Role.CLERK.label), (Role.MANAGER, Role.MANAGER.label)], initial=Role.CLERK)
