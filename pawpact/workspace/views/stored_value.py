"""营销 Marketing · 储值 Stored value: what the shop owes its customers (paid and gift apart),
the gift rules, the spending rule, every movement, and payments at the counter with a
confirmation step (the amount is shown back before money moves). One customer's account,
top-ups in cash and refunds are in stored_value_account.py."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.billing.enums import LedgerAccount
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty import stored_value
from pawpact.loyalty import wallet_selectors as selectors
from pawpact.loyalty.refund_requests import refund_requests_open
from pawpact.loyalty.wallet_models import GiftRule, SpendOrder, StoredValueRules
from pawpact.workspace.enums import Action
from pawpact.workspace.fields import YuanField
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import workspace_view
from pawpact.workspace.views.wallet import SECTION, _listing
from pawpact.workspace.views.wallet_tables import ACCOUNT_COLUMNS, MOVEMENT_COLUMNS


class GiftRuleForm(forms.Form):
    threshold = YuanField(label=gettext_lazy("Top-up from (¥)"))
    gift = YuanField(label=gettext_lazy("Gift (¥)"))


class RulesForm(forms.Form):
    spend_order = forms.ChoiceField(label=gettext_lazy("Spend first"), choices=SpendOrder.choices)
    refunds_allowed = forms.BooleanField(label=gettext_lazy("Refund the paid part on request"), required=False)


@workspace_view(section=SECTION)
def stored_value_page(request):
    rows = selectors.stored_value_accounts()
    query_text = request.GET.get("q", "").strip()
    if query_text:
        rows = rows.filter(Q(customer__name__icontains=query_text) | Q(customer__phone__contains=query_text))
    context, export = _listing(request, rows, ACCOUNT_COLUMNS, name="stored-value")
    if export:
        return export
    rules = stored_value.rules_get()
    return render(request, "workspace/marketing/stored_value.html", {
        **context, "q": query_text, "totals": selectors.stored_value_totals(), "gift_rules": GiftRule.objects.all(),
        "gift_form": GiftRuleForm(), "rules_form": RulesForm(initial={"spend_order": rules.spend_order,
                                                                     "refunds_allowed": rules.refunds_allowed}),
        "may_edit": role_allows(request.workspace_role, Action.MARKETING),
        "open_refund_requests": refund_requests_open().count(),
    })  # fmt: skip


@require_POST
@workspace_view(Action.MARKETING, section=SECTION)
def gift_rule_add(request):
    form = GiftRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    elif GiftRule.objects.filter(threshold_minor=form.cleaned_data["threshold"]).exists():
        messages.error(request, _("A rule for this amount exists already; remove it first."))
    else:
        GiftRule.objects.create(threshold_minor=form.cleaned_data["threshold"], gift_minor=form.cleaned_data["gift"])
        messages.success(request, _("The gift rule is added."))
    return redirect("workspace:marketing_stored_value")


@require_POST
@workspace_view(Action.MARKETING, section=SECTION)
def gift_rule_remove(request, pk: int):
    GiftRule.objects.filter(pk=pk).delete()
    messages.success(request, _("The gift rule is removed."))
    return redirect("workspace:marketing_stored_value")


@require_POST
@workspace_view(Action.MARKETING, section=SECTION)
def rules_save(request):
    form = RulesForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            rules = stored_value.rules_get()
            StoredValueRules.objects.filter(pk=rules.pk).update(**form.cleaned_data)
        messages.success(request, _("The stored-value rules are saved."))
    return redirect("workspace:marketing_stored_value")


class SpendForm(forms.Form):
    amount = YuanField(label=gettext_lazy("Amount (¥)"))
    revenue = forms.ChoiceField(label=pgettext_lazy("spent on", "For"), choices=[
        (LedgerAccount.SERVICE_REVENUE, gettext_lazy("Services at the counter")),
        (LedgerAccount.GOODS_REVENUE, gettext_lazy("Goods at the counter")),
    ])  # fmt: skip
    memo = forms.CharField(label=gettext_lazy("Note"), max_length=120, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)


@require_POST
@workspace_view(Action.CUSTOMER_EDIT, section=SECTION)
def account_spend(request, uuid):
    """Pay at the counter from the customer's stored value (the shop's rule picks paid or gift
    first), after the amount is shown back and confirmed: money spent is not undone here."""
    customer = get_object_or_404(Customer, uuid=uuid)
    form = SpendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workspace:marketing_account", uuid=uuid)
    data = form.cleaned_data
    if not data["confirmed"]:
        return render(request, "workspace/marketing/spend_confirm.html", {
            "customer": customer, "form": form, "amount": data["amount"],
            "revenue_label": dict(form.fields["revenue"].choices)[data["revenue"]],
        })  # fmt: skip
    try:
        stored_value.spend(customer=customer, amount_minor=data["amount"], key=f"counter:{data['request_key']}",
                           memo=data["memo"] or "counter", revenue_account=LedgerAccount(data["revenue"]))  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Paid from stored value."))
    return redirect("workspace:marketing_account", uuid=uuid)


@workspace_view(section=SECTION)
def movements(request):
    context, export = _listing(request, selectors.movement_list(), MOVEMENT_COLUMNS, name="stored-value-movements")
    return export or render(request, "workspace/marketing/movements.html", context)
