"""营销 Marketing forms: coupon templates in yuan, trigger picks, segments, campaigns.
They parse what staff type; the loyalty services check and write."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.care.enums import ServiceKind
from pawpact.loyalty.coupon_models import CampaignKind, CouponKind, CouponTemplate, Segment, TriggerKind
from pawpact.loyalty.coupon_selectors import coupon_templates_issuing
from pawpact.loyalty.segments import ACTIVITIES, STANDINGS
from pawpact.workspace.fields import YuanField, fen_to_yuan
from pawpact.workspace.forms import DateInput

SCORES = [(0, _("Any")), *[(n, f"≥ {n}") for n in range(1, 6)]]


class CouponTemplateForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=CouponKind.choices)
    amount_off = YuanField(label=_("Amount off (¥)"), required=False, help_text=_("For amount-off coupons."))
    percent_off = forms.IntegerField(label=_("Percent off"), required=False, help_text=_("From 1 to 100."))
    service_kind = forms.ChoiceField(label=_("Free service"), required=False,
                                     choices=[("", _("Any service")), *ServiceKind.choices])  # fmt: skip
    min_spend = YuanField(label=_("Minimum spend (¥)"), required=False, allow_zero=True,
                          help_text=_("For shop orders; empty for none."))  # fmt: skip
    valid_days = forms.IntegerField(label=_("Valid for (days after issue)"), required=False,
                                    help_text=_("Or give fixed dates below."))  # fmt: skip
    valid_from = forms.DateField(label=_("First day"), required=False, widget=DateInput)
    valid_until = forms.DateField(label=_("Last day"), required=False, widget=DateInput)
    per_customer_limit = forms.IntegerField(label=_("Per customer"), initial=1,
                                            help_text=_("How many one customer may receive in all."))  # fmt: skip
    total_limit = forms.IntegerField(label=_("In total"), required=False, help_text=_("Empty for no limit."))

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"], "kind": data["kind"], "amount_off_minor": data["amount_off"] or 0,
            "percent_off": data["percent_off"] or 0, "service_kind": data["service_kind"] or "",
            "min_spend_minor": data["min_spend"] or 0, "valid_days": data["valid_days"],
            "valid_from": data["valid_from"], "valid_until": data["valid_until"],
            "per_customer_limit": data["per_customer_limit"], "total_limit": data["total_limit"],
        }  # fmt: skip

    @classmethod
    def initial_of(cls, template: CouponTemplate) -> dict:
        return {
            "name": template.name, "kind": template.kind, "amount_off": fen_to_yuan(template.amount_off_minor or None),
            "percent_off": template.percent_off or None, "service_kind": template.service_kind,
            "min_spend": fen_to_yuan(template.min_spend_minor or None), "valid_days": template.valid_days,
            "valid_from": template.valid_from, "valid_until": template.valid_until,
            "per_customer_limit": template.per_customer_limit, "total_limit": template.total_limit,
        }  # fmt: skip


# Service-side names of the template fields → this form's fields, for errors.
TEMPLATE_FIELD_NAMES = {"amount_off_minor": "amount_off", "min_spend_minor": "min_spend"}


class TriggersForm(forms.Form):
    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Off")), *[(str(t.pk), t.name) for t in templates]]
        for kind, label in TriggerKind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=choices, required=False)


class SegmentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    activity = forms.ChoiceField(label=_("Activity"), required=False, choices=[("", _("Any")), *ACTIVITIES.items()])
    standing = forms.ChoiceField(label=_("Standing"), required=False, choices=[("", _("Any")), *STANDINGS.items()])
    r_min = forms.TypedChoiceField(label=_("Recency score (R)"), choices=SCORES, coerce=int, initial=0)
    f_min = forms.TypedChoiceField(label=_("Frequency score (F)"), choices=SCORES, coerce=int, initial=0)
    m_min = forms.TypedChoiceField(label=_("Spend score (M)"), choices=SCORES, coerce=int, initial=0)

    def filters(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("activity", "standing", "r_min", "f_min", "m_min")}


class CampaignForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all())
    kind = forms.ChoiceField(label=_("Send"), choices=CampaignKind.choices, widget=forms.RadioSelect,
                             initial=CampaignKind.COUPON)  # fmt: skip
    # Any template is accepted so that a disabled or expired one is refused with its reason;
    # only those that can still issue are offered.
    template = forms.ModelChoiceField(label=_("Coupon"), required=False, queryset=CouponTemplate.objects.all())
    subject = forms.CharField(label=_("Message subject"), max_length=80, required=False)
    body = forms.CharField(label=_("Message"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].widget.choices = [("", "---------"),
                                                  *[(t.pk, t.name) for t in coupon_templates_issuing()]]  # fmt: skip


class IssueForm(forms.Form):
    phone = forms.CharField(label=_("Customer's mobile phone"), max_length=32)
