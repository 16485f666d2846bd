"""A partner's monthly statement (entitlements redeemed, owed, paid), for the platform console
and for the partner itself, with XLSX/CSV exports of the months and of one month's redemptions;
the console's button that settles every past month now (the daily task does it too); and the
console's partner accounts: invitations to the partner portal, a changed licence reviewed."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.months import month_parse
from pawpact.core.text import sentences_join
from pawpact.partners.enums import PaymentStatus
from pawpact.partners.errors import PartnerInvalid
from pawpact.partners.models import Partner
from pawpact.partners.portal import partner_licence_reviewed, partner_member_invite
from pawpact.partners.selectors import partner_redemptions, partner_statement
from pawpact.platform.partner_clearing import partner_clearing_close
from pawpact.platform.table_export import table_response, yuan_cell


def _payment_text(line) -> str:
    if line.payment is None:
        return _("Month not over yet") if line.month >= default_clock.today().replace(day=1) else _("To be paid")
    if line.payment.status == PaymentStatus.HELD:
        return _("Held: no verified payout account yet (paid once one is verified)")
    if line.payment.status == PaymentStatus.FAILED and line.payment.failure:
        return _("Failed: %(reason)s (retried daily)") % {"reason": line.payment.failure}
    return line.payment.get_status_display()


def statement_context(request, partner: Partner) -> dict:
    months = partner_statement(partner_id=partner.pk, today=default_clock.today())
    month = month_parse(request.GET.get("month")) or months[0].month
    return {"partner": partner, "months": months, "month": month,
            "lines": partner_redemptions(partner_id=partner.pk, month=month),
            "rows": [(line, _payment_text(line)) for line in months if line.redemptions or line.payment]}  # fmt: skip


def statement_export(request, context: dict, *, name: str):
    """?export=csv|xlsx: the months; with &lines=1, the chosen month's redemptions."""
    fmt = request.GET.get("export")
    if request.GET.get("lines"):
        headers = [_("Completed"), _("Shop"), pgettext("partner service", "Service"), _("Pet"), _("Amount (¥)")]
        rows = [[line.completed_at.astimezone(default_clock.now().tzinfo).strftime("%Y-%m-%d %H:%M"), line.shop.name,
                 line.get_service_display(), line.pet_name, yuan_cell(line.price_minor)]
                for line in context["lines"]]  # fmt: skip
        return table_response(fmt=fmt, headers=headers, rows=rows, name=f"{name}-{context['month']:%Y-%m}")
    headers = [_("Month"), _("Redeemed"), _("Owed to the partner (¥)"), _("Paid (¥)"), _("Status"), _("Paid on"),
               _("Reference")]  # fmt: skip
    rows = [[line.month.strftime("%Y-%m"), line.redemptions, yuan_cell(line.amount_minor), yuan_cell(line.paid_minor),
             text, line.payment.paid_at.date().isoformat() if line.payment and line.payment.paid_at else "",
             line.payment.rail_reference if line.payment else ""]
            for line, text in context["rows"]]  # fmt: skip
    return table_response(fmt=fmt, headers=headers, rows=rows, name=name)


@staff_required
def console_partner_statement(request, partner_id: int):
    partner = get_object_or_404(Partner, pk=partner_id)
    context = statement_context(request, partner)
    if request.GET.get("export") in ("csv", "xlsx"):
        return statement_export(request, context, name=f"partner-{partner.pk}-statement")
    return render(request, "platform/partners/statement.html", {**context, "console": True})


@staff_required
@require_POST
def console_partner_clearing_run(request):
    try:
        report = partner_clearing_close()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Settled: %(shops)s shop charges, %(paid)s partner payments paid, %(failed)s failed.")
                         % {"shops": report.shops_charged, "paid": report.payments_paid,
                            "failed": report.payments_failed})  # fmt: skip
        if report.payments_held:
            messages.warning(request, _("%(held)s partner payments are held: their partners have no verified payout "
                                        "account yet.") % {"held": report.payments_held})  # fmt: skip
    return redirect(request.POST.get("next") or "console_partners")


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150, required=False)


@staff_required
@require_POST
def console_partner_invite(request, partner_id: int):
    """Give a person of the partner a sign-in; they get an email to choose a password."""
    partner = get_object_or_404(Partner, pk=partner_id)
    form = InviteForm(request.POST)
    login_url = request.build_absolute_uri(reverse("account_login")) + "?next=" + reverse("partner_home")
    try:
        if not form.is_valid():
            raise PartnerInvalid(_("Enter a valid email address."), fields=form.errors)
        partner_member_invite(partner=partner, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                              login_url=login_url)  # fmt: skip
    except DomainError as error:
        messages.error(request, sentences_join([error.message, *(str(p) for ps in (error.fields or {}).values() for p in ps)]))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("console_partner", partner_id=partner.pk)


@staff_required
@require_POST
def console_partner_licence_reviewed(request, partner_id: int):
    partner_licence_reviewed(partner=get_object_or_404(Partner, pk=partner_id))
    messages.success(request, _("Licence reviewed."))
    return redirect("console_partner", partner_id=partner_id)
