"""A partner's payout account page, once for the platform console and once for the partner's own
portal: its state with the provider's answer, the payments held for want of a verified account,
and the form that saves the account and asks the provider at once."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.partners.models import Partner
from pawpact.platform.partner_payout import (
    partner_account_kinds,
    partner_payout_account_of,
    partner_payout_account_set,
    partner_payout_account_verify,
    payments_held,
)
from pawpact.platform.partner_portal_views import partner_member_required
from pawpact.platform.partner_views import _form_errors


class PayoutAccountForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=partner_account_kinds)
    account_ref = forms.CharField(
        label=gettext_lazy("Account"), max_length=64,
        help_text=gettext_lazy("A Stripe connected account id (acct_…) or an Alipay user id (2088 and 12 digits)."),
    )  # fmt: skip
    holder_name = forms.CharField(
        label=gettext_lazy("Holder"), max_length=120,
        help_text=gettext_lazy("The account holder's real name, exactly as the provider knows it."),
    )  # fmt: skip


def _verify(request, partner: Partner) -> None:
    try:
        account = partner_payout_account_verify(partner=partner)
    except DomainError as error:
        messages.error(request, error.message)
        return
    if account.is_verified:
        messages.success(request, _("Verified by the provider: the platform pays this account from now on."))
    else:
        messages.error(request, account.note_text or _("The provider did not verify this account."))


def _page(request, partner: Partner, *, template: str, done: str, extra: dict):
    account = partner_payout_account_of(partner_id=partner.pk)
    initial = {"kind": account.kind, "account_ref": account.account_ref, "holder_name": account.holder_name} if account else {}
    form = PayoutAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = partner_payout_account_set(partner=partner, **form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            if not saved.is_verified:
                _verify(request, partner)
            else:
                messages.success(request, _("Nothing changed: this account is already verified."))
            return redirect(done)
    return render(request, template, {"partner": partner, "account": account, "form": form, "held": payments_held(partner_id=partner.pk),
                                      **extra}, status=400 if form.errors else 200)  # fmt: skip


@staff_required
def console_partner_payout_account(request, partner_id: int):
    partner = get_object_or_404(Partner, pk=partner_id)
    return _page(request, partner, template="platform/partners/payout_account.html",
                 done=request.path, extra={"console": True})  # fmt: skip


@staff_required
@require_POST
def console_partner_payout_verify(request, partner_id: int):
    partner = get_object_or_404(Partner, pk=partner_id)
    _verify(request, partner)
    return redirect("console_partner_payout_account", partner_id=partner.pk)


@partner_member_required
def partner_payout_account_page(request, partner: Partner):
    return _page(request, partner, template="platform/partner_portal/payout_account.html",
                 done=request.path, extra={})  # fmt: skip


@partner_member_required
@require_POST
def partner_payout_verify(request, partner: Partner):
    _verify(request, partner)
    return redirect("partner_payout_account")
