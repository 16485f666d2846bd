"""A newcomer's own sign-up on the shop's host (H5): the same two-code registration the
shop's app uses (a code by email, another by SMS), then signed in here. A friend's
referral code remembered from the invitation link is claimed on the way, so the ¥200 off
the first deposit and the referrer's rewards follow when the first plan starts."""
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pawpact.core.errors import DomainError
from pawpact.core.widgets import IsoDateInput
from pawpact.customers.registration import (
    customer_registration_confirm,
    customer_registration_start,
    registration_email_send,
)
from pawpact.loyalty import referrals
from pawpact.loyalty.wallet_pages import SESSION_CODE
from pawpact.messaging.verification import verification_sms_send

SESSION_EMAIL = "signup_email"
SESSION_SANDBOX = "signup_sandbox"  # test mode: what would have been sent, shown on the page


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip
    birth_date = forms.DateField(label=gettext_lazy("Date of birth"), widget=IsoDateInput)
    email = forms.EmailField(label=gettext_lazy("Email"))
    password = forms.CharField(label=gettext_lazy("Password"), min_length=8, max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))  # fmt: skip


class CodesForm(forms.Form):
    sms_code = forms.CharField(label=gettext_lazy("Code from the text message"), max_length=6, min_length=6,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    code = forms.CharField(label=gettext_lazy("Code from the email"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))  # fmt: skip


def _errors_onto(form: forms.Form, error: DomainError) -> None:
    """The service's message above the form, its field messages under their fields."""
    form.add_error(None, error.message)
    for field, field_messages in (error.fields or {}).items():
        for message in field_messages:
            if field in form.fields:
                form.add_error(field, message)


def _page(request, *, form, step: str, status: int = 200):
    sandbox = request.session.get(SESSION_SANDBOX, {}) if step == "codes" and request.tenant.mode == "test" else {}
    return render(request, "loyalty/join_signup.html", {
        "shop": request.tenant, "form": form, "step": step, "code": request.session.get(SESSION_CODE, ""),
        "email": request.session.get(SESSION_EMAIL, ""), "sandbox": sandbox,
    }, status=status)  # fmt: skip


def _senders(request):
    """The SMS and email senders; a shop in test mode sends nothing real, so the page keeps
    what the sandbox would have sent, for a demo sign-up to finish without the server's log."""
    if request.tenant.mode != "test":
        return verification_sms_send, registration_email_send
    kept: dict[str, str] = dict(request.session.get(SESSION_SANDBOX, {}))  # a rate-limited resend sends nothing
    request.session[SESSION_SANDBOX] = kept

    def sms(*, phone: str, text: str, out_id: str) -> None:
        verification_sms_send(phone=phone, text=text, out_id=out_id)
        kept["sms"] = text
        request.session.modified = True

    def email(*, email: str, code: str | None, shop_name: str) -> None:
        registration_email_send(email=email, code=code, shop_name=shop_name)
        kept["email"] = code or _("no code: this address already has an account here (sign in instead)")
        request.session.modified = True

    return sms, email


@require_http_methods(["GET", "POST"])
def join_signup(request):
    """Step one: the details (codes are sent); step two: the two codes, then signed in."""
    if request.user.is_authenticated:
        return redirect("my_referral" if request.session.get(SESSION_CODE) else "my_home")
    if request.method == "POST" and request.POST.get("step") == "codes":
        return _confirm(request)
    if request.method != "POST" and "again" in request.GET:
        request.session.pop(SESSION_EMAIL, None)
        request.session.pop(SESSION_SANDBOX, None)
    elif request.method != "POST" and request.session.get(SESSION_EMAIL):
        return _page(request, form=CodesForm(), step="codes")  # reopened: the codes sent still work
    form = SignupForm(request.POST or None)
    if request.method != "POST":
        return _page(request, form=form, step="details")
    if form.is_valid():
        sms_send, email_send = _senders(request)
        try:
            customer_registration_start(**form.cleaned_data, shop_name=request.tenant.name,
                                        sms_send=sms_send, email_send=email_send)  # fmt: skip
        except DomainError as error:
            _errors_onto(form, error)
        else:
            request.session[SESSION_EMAIL] = form.cleaned_data["email"]
            return _page(request, form=CodesForm(), step="codes")
    return _page(request, form=form, step="details", status=400)


def _confirm(request):
    form = CodesForm(request.POST)
    email = request.session.get(SESSION_EMAIL, "")
    if form.is_valid():
        try:
            customer, _tokens = customer_registration_confirm(email=email, device_name="H5", **form.cleaned_data)
        except DomainError as error:
            _errors_onto(form, error)
        else:
            login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_EMAIL, None)
            request.session.pop(SESSION_SANDBOX, None)
            return _welcome(request, customer)
    return _page(request, form=form, step="codes", status=400)


def _welcome(request, customer):
    """Claim the remembered code; a refused one is shown on the referral page to fix."""
    code = request.session.get(SESSION_CODE, "")
    if not code:
        messages.success(request, _("Welcome! Your account at this shop is ready."))
        return redirect("my_home")
    try:
        referrals.claim(newcomer=customer, code=code)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        request.session.pop(SESSION_CODE, None)
        messages.success(request, _("Welcome! Your friend's code is saved: ¥200 comes off the deposit of your "
                                    "first plan."))  # fmt: skip
    return redirect("my_referral")
