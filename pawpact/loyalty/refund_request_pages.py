"""The customer's page to ask for the paid part of their stored value back (H5)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty import wallet_selectors as selectors
from pawpact.loyalty.refund_requests import refund_request_create, refund_request_latest
from pawpact.loyalty.wallet_models import StoredValueRules


class RefundRequestForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Anything the shop should know (optional)"), max_length=300,
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


@login_required(login_url="account_login")
@require_http_methods(["GET", "POST"])
def my_stored_value_refund(request):
    customer = Customer.objects.filter(user=request.user).first()
    if customer is None:
        return redirect("my_stored_value")
    form = RefundRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund_request_create(customer=customer, note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request is with the shop; they will contact you to hand the refund over."))
            return redirect("my_stored_value_refund")
    rules = StoredValueRules.objects.order_by("id").first()
    return render(request, "loyalty/my_stored_value_refund.html", {
        "shop": request.tenant, "form": form, "account": selectors.stored_value_of(customer=customer),
        "allowed": rules is None or rules.refunds_allowed, "latest": refund_request_latest(customer=customer),
    }, status=400 if form.errors else 200)  # fmt: skip
