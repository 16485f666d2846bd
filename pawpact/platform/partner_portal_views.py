"""The partner portal (public host, /partner/): a person a platform admin invited signs in and
sees their own partner only: profile (a changed licence goes back for review), bookings shops
sent it (mark completed), ratings and rectification state, and the monthly statement."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError, NotFound
from pawpact.partners.enums import BookingStatus, PartnerService, PartnerState
from pawpact.partners.models import Partner, PartnerMember
from pawpact.partners.portal import partner_booking_done, partner_profile_update
from pawpact.partners.services import partner_average_display, rolling_average
from pawpact.platform.partner_payout import payments_held
from pawpact.platform.partner_statement_views import statement_context, statement_export
from pawpact.platform.partner_views import _average_text, _form_errors


def partner_member_required(view):
    """Only a signed-in member of a partner; the partner comes from the membership, never the URL."""

    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        member = PartnerMember.objects.select_related("partner").filter(user=request.user).first()
        if member is None:
            raise PermissionDenied
        return view(request, member.partner, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


class ProfileForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40)
    address = forms.CharField(label=pgettext_lazy("street", "Address"), max_length=255)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), help_text=gettext_lazy("−90 to 90, e.g. 31.2304"))
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), help_text=gettext_lazy("−180 to 180, e.g. 121.4737"))
    services = forms.MultipleChoiceField(label=gettext_lazy("Services"), choices=PartnerService.choices,
                                         widget=forms.CheckboxSelectMultiple)  # fmt: skip
    licence_number = forms.CharField(label=gettext_lazy("Licence number"), max_length=60)
    licence_file = forms.FileField(label=gettext_lazy("New licence document"), required=False,
                                   help_text=gettext_lazy("Only if it changed: PDF, PNG or JPEG, at most 5 MB. "
                                                          "The platform reviews a changed licence."))  # fmt: skip


@partner_member_required
def partner_home(request, partner: Partner):
    bookings = partner.bookings.select_related("shop", "rating").order_by("status", "-scheduled_at", "-id")
    status = request.GET.get("status", "")
    if status in BookingStatus.values:
        bookings = bookings.filter(status=status)
    average = partner_average_display(partner)
    return render(request, "platform/partner_portal/home.html", {
        "partner": partner, "bookings": bookings[:100], "status": status, "statuses": BookingStatus.choices,
        "average": _average_text(rolling_average(partner=partner, now=default_clock.now())),
        "all_time": _average_text(average), "ratings": partner.ratings.select_related("shop")[:20],
        "changes": partner.changes.all()[:20], "under_rectification": partner.state == PartnerState.RECTIFICATION,
        "now": default_clock.now(), "held": payments_held(partner_id=partner.pk),
    })  # fmt: skip


@partner_member_required
def partner_profile(request, partner: Partner):
    initial = {name: getattr(partner, name) for name in ("phone", "address", "latitude", "longitude", "services",
                                                         "licence_number")}  # fmt: skip
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            updated = partner_profile_update(partner=partner, **form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Profile saved. The platform reviews your changed licence.")
                             if updated.licence_review_pending and not partner.licence_review_pending
                             else _("Profile saved."))  # fmt: skip
            return redirect("partner_home")
    return render(request, "platform/partner_portal/profile.html", {"partner": partner, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@partner_member_required
@require_POST
def partner_booking_complete_view(request, partner: Partner, booking_id: int):
    try:
        partner_booking_done(partner=partner, booking_id=booking_id)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise Http404 from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as completed: the customer can rate it now."))
    return redirect("partner_home")


@partner_member_required
def partner_statement_page(request, partner: Partner):
    context = statement_context(request, partner)
    if request.GET.get("export") in ("csv", "xlsx"):
        return statement_export(request, context, name="statement")
    return render(request, "platform/partner_portal/statement.html", context)
