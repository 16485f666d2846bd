"""The customer's paid membership page (H5, 390 px first): the plans on sale with their
benefits and trial, joining with a saved payment method, and the membership in force with
its renewal date and cancellation. The join form carries a request key made when the page
is drawn, so a double tap joins (and charges) once; a refusal writes nothing."""
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pawpact.billing.models import PaymentMethod
from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty.paid_membership import (
    membership_live,
    paid_membership_join,
    paid_membership_resume,
    trial_available,
)  # fmt: skip
from pawpact.loyalty.paid_methods import membership_of, paid_membership_method_change
from pawpact.loyalty.paid_models import PaidPlan, PaidStatus
from pawpact.loyalty.paid_refunds import paid_membership_cancel


class JoinForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=PaidPlan.objects.filter(active=True), widget=forms.HiddenInput)
    payment_method = forms.ModelChoiceField(queryset=PaymentMethod.objects.none(), label=gettext_lazy("Pay with"),
                                            empty_label=None)  # fmt: skip
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].queryset = PaymentMethod.objects.filter(customer=customer, is_active=True)
        self.fields["payment_method"].label_from_instance = lambda method: method.shown_label


class MethodForm(forms.Form):
    """The method the next renewals are charged to; only the member's own active ones are offered."""

    membership = forms.UUIDField(widget=forms.HiddenInput)
    payment_method = forms.ModelChoiceField(queryset=PaymentMethod.objects.none(), label=gettext_lazy("Renew with"),
                                            empty_label=None)  # fmt: skip

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].queryset = PaymentMethod.objects.filter(customer=customer, is_active=True)
        self.fields["payment_method"].label_from_instance = lambda method: method.shown_label


def _customer(request) -> Customer | None:
    return Customer.objects.filter(user=request.user).first()


@login_required(login_url="account_login")
@require_http_methods(["GET", "POST"])
def my_paid_membership(request):
    customer = _customer(request)
    context = {"shop": request.tenant, "plans": PaidPlan.objects.filter(active=True).order_by("price_minor", "id")}
    if customer is None:
        return render(request, "loyalty/my_paid_membership.html", {**context, "no_customer": True})
    form = JoinForm(request.POST or None, customer=customer, initial={"request_key": uuid.uuid4().hex})
    membership = membership_live(customer=customer)
    method_form = _method_form(customer, membership)
    if request.method == "POST" and form.is_valid():
        try:
            membership = paid_membership_join(customer=customer, plan=form.cleaned_data["plan"],
                                              payment_method=form.cleaned_data["payment_method"],
                                              request_key=form.cleaned_data["request_key"])  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            day = {"day": membership.period_end.isoformat()}
            if membership.status == "trialing":
                messages.success(request, _("Welcome! Your trial ends and the first charge is on %(day)s.") % day)
            else:
                messages.success(request, _("Welcome! Your membership renews on %(day)s.") % day)
            return redirect("my_paid_membership")
    return render(request, "loyalty/my_paid_membership.html", {
        **context, "form": form, "membership": membership, "method_form": method_form,
        "trial_open": trial_available(customer=customer), "has_methods": form.fields["payment_method"].queryset.exists(),
    }, status=400 if form.errors else 200)  # fmt: skip


def _method_form(customer, membership, data=None) -> MethodForm | None:
    if membership is None:
        return None
    initial = {"membership": membership.uuid, "payment_method": membership.payment_method_id}
    return MethodForm(data, customer=customer, initial=initial)


@require_POST
@login_required(login_url="account_login")
def my_paid_membership_method(request):
    """Change the method renewals are charged to; another customer's membership is a 404, a
    refused method a form error on the page with nothing written."""
    customer = _customer(request)
    if customer is None:
        raise Http404
    try:
        membership = membership_of(customer=customer, membership_uuid=request.POST.get("membership"))
    except DomainError:
        raise Http404 from None
    form = _method_form(customer, membership, request.POST)
    if form.is_valid():
        try:
            changed = paid_membership_method_change(membership=membership,
                                                    payment_method=form.cleaned_data["payment_method"])  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if membership.status == PaidStatus.PAST_DUE and changed.status == PaidStatus.ACTIVE:
                messages.success(request, _("The renewal was charged to the new payment method. Thank you!"))
            else:
                messages.success(request, _("Your next renewal will be charged to %(method)s.")
                                 % {"method": changed.payment_method.shown_label})  # fmt: skip
            return redirect("my_paid_membership")
    return render(request, "loyalty/my_paid_membership.html", {
        "shop": request.tenant, "plans": PaidPlan.objects.filter(active=True).order_by("price_minor", "id"),
        "membership": membership_live(customer=customer), "method_form": form,
    }, status=400)  # fmt: skip


@require_POST
@login_required(login_url="account_login")
def my_paid_membership_cancel(request):
    customer = _customer(request)
    membership = membership_live(customer=customer) if customer else None
    if membership is not None:
        try:
            if request.POST.get("resume"):
                paid_membership_resume(membership=membership)
                messages.success(request, _("Your membership will renew again."))
            else:
                cancelled = paid_membership_cancel(membership=membership)
                if cancelled.status == PaidStatus.REFUNDED:
                    messages.success(request, _("Cancelled and refunded in full: the membership has ended."))
                else:
                    messages.success(request, _("Cancelled: you stay a member until %(day)s; it will not renew.")
                                     % {"day": membership.period_end.isoformat()})  # fmt: skip
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("my_paid_membership")
