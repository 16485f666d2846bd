"""The customer's partner pages (H5, 390 px first): the emergency clinic search near them
(anyone may use it: an emergency does not wait for a login) and their services at partner
clinics and groomers, each completed one rated once, 1 to 5 stars."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.partners.bookings import rating_submit
from pawpact.partners.selectors import EMERGENCY_RADIUS_M, clinics_near, customer_bookings


class NearForm(forms.Form):
    lat = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)
    open_now = forms.BooleanField(label=gettext_lazy("Open now only"), required=False)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=gettext_lazy("Stars"), coerce=int,
                                   choices=[(n, "★" * n) for n in range(5, 0, -1)], widget=forms.RadioSelect)  # fmt: skip
    comment = forms.CharField(label=gettext_lazy("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


def emergency_clinics(request):
    form = NearForm(request.GET or None)
    clinics = None
    if form.is_valid():
        clinics = clinics_near(latitude=form.cleaned_data["lat"], longitude=form.cleaned_data["lng"],
                               open_now_only=form.cleaned_data["open_now"])  # fmt: skip
    return render(request, "storefront/emergency.html", {
        "shop": request.tenant, "form": form, "clinics": clinics, "radius_km": EMERGENCY_RADIUS_M // 1000,
    }, status=400 if form.errors else 200)  # fmt: skip


@login_required(login_url="account_login")
def my_partner_services(request):
    customer = Customer.objects.filter(user=request.user).first()
    rows = list(customer_bookings(shop_id=request.tenant.pk, customer_uuid=customer.uuid)[:50]) if customer else []
    return render(request, "storefront/my_partner_services.html",
                  {"shop": request.tenant, "rows": rows, "form": RatingForm(auto_id=False)})  # fmt: skip


@login_required(login_url="account_login")
@require_POST
def my_partner_rate(request, booking_id: int):
    customer = Customer.objects.filter(user=request.user).first()
    form = RatingForm(request.POST)
    if customer is None or not form.is_valid():
        messages.error(request, _("Give 1 to 5 stars."))
        return redirect("my_partner_services")
    try:
        rating_submit(shop=request.tenant, booking_id=booking_id, customer_uuid=customer.uuid,
                      stars=form.cleaned_data["stars"], comment=form.cleaned_data["comment"])  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("my_partner_services")
