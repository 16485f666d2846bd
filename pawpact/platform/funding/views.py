"""Platform console pages of advance funding and of the outbox drain (platform staff only)."""
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.core.clock import default_clock
from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.core.money import Money
from pawpact.core.money_fields import YuanField, fen_to_yuan
from pawpact.platform.enums import RecourseRule
from pawpact.platform.funding.selectors import (
    advance_list,
    clawback_list,
    drained_at,
    drain_lag_list,
    funding_shop_list,
    funding_summary,
    payout_account_of,
    payout_get,
    payout_list,
)
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.funding.statements import statement_build, statement_csv, statement_pdf
from pawpact.platform.funding.terms import funding_terms_get, funding_terms_set

PAGE_ROWS = 100


def _shop_or_404(shop_id: int):
    shop = funding_shop_list().filter(pk=shop_id).first()
    if shop is None:
        raise Http404
    return shop


@staff_required
def console_funding(request):
    """Portfolio: what is owed to shops and by them, the latest payouts, the run button."""
    return render(
        request,
        "platform/funding/overview.html",
        {"summary": funding_summary(), "payouts": payout_list()[:PAGE_ROWS], "shops": funding_shop_list()},
    )


@staff_required
@require_POST
def console_settlement_run(request):
    report = settlement_run()
    messages.success(
        request,
        _("Settlement %(date)s: %(created)d payout(s) created, %(paid)d paid (%(amount)s), %(failed)d failed.")
        % {"date": report.settlement_date, "created": report.payouts_created, "paid": report.payouts_paid,
           "amount": Money(report.paid_minor).format(), "failed": report.payouts_failed + report.payouts_unknown},
    )  # fmt: skip
    return redirect("console_funding")


@staff_required
def console_funding_shop(request, shop_id: int):
    """One shop: its terms (editable), advances, clawbacks and payouts with statements."""
    shop = _shop_or_404(shop_id)
    errors: dict[str, list[str]] = {}
    form = None
    if request.method == "POST":
        form = request.POST
        fee = _fen(form.get("fee", ""))
        try:
            funding_terms_set(
                shop=shop,
                advance_rate=_decimal(form.get("advance_rate", "")),
                fee_minor=fee if isinstance(fee, int) else "",
                recourse_rule=form.get("recourse_rule", ""),
                settlement_delay_days=_int(form.get("settlement_delay_days", "")),
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
            errors = dict(error.fields)
            if not isinstance(fee, int):  # the fee as typed in yuan, explained in yuan
                errors["fee_minor"] = fee.messages
        else:
            messages.success(request, _("Funding terms of %(shop)s saved.") % {"shop": shop.name})
            return redirect("console_funding_shop", shop_id=shop.pk)
    return render(
        request,
        "platform/funding/shop.html",
        {
            "shop": shop,
            "terms": funding_terms_get(shop_id=shop.pk),
            "fee_yuan": fen_to_yuan(funding_terms_get(shop_id=shop.pk).fee_minor),
            "form": form,
            "errors": errors,
            "recourse_rules": RecourseRule.choices,
            "summary": funding_summary(shop_id=shop.pk),
            "advances": advance_list(shop_id=shop.pk)[:PAGE_ROWS],
            "clawbacks": clawback_list(shop_id=shop.pk)[:PAGE_ROWS],
            "payouts": payout_list(shop_id=shop.pk)[:PAGE_ROWS],
            "payout_account": payout_account_of(shop_id=shop.pk),
            "drained_at": drained_at(shop_id=shop.pk),
        },
        status=400 if errors else 200,
    )


def _decimal(value: str):
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return value


def _fen(value: str) -> int | ValidationError:
    """The fee typed in yuan, in fen; or why it cannot be read."""
    try:
        return YuanField(allow_zero=True).clean(value.strip() or None)
    except ValidationError as error:
        return error


def _int(value: str):
    try:
        return int(value.strip())
    except ValueError:
        return value


def statement_response(*, payout, fmt: str) -> HttpResponse:
    """The payout's settlement statement as a PDF (`fmt` "pdf") or CSV download."""
    statement = statement_build(payout=payout)
    if fmt == "pdf":
        body, content_type = statement_pdf(statement), "application/pdf"
    else:
        body, content_type = statement_csv(statement), "text/csv; charset=utf-8"
    return attachment(body, content_type=content_type, filename=f"{statement.filename}.{fmt}")


@staff_required
def console_statement(request, payout_id: int, fmt: str):
    payout = payout_get(payout_id=payout_id)
    if payout is None:
        raise Http404
    return statement_response(payout=payout, fmt=fmt)


@staff_required
def console_outbox(request):
    """The outbox lag per shop: events waiting at the last drain, their age, not yet applied."""
    rows = sorted(
        drain_lag_list(now=default_clock.now()),
        key=lambda row: (-(row.pending_age_seconds or 0), -row.pending_count, -row.unapplied, row.shop_name),
    )
    return render(request, "platform/funding/outbox.html", {"rows": rows})
