"""会员等级规则: the owner's tier rule editor. Saving a valid ladder replaces the active rules
and re-evaluates every member in the background; the page polls the run's progress."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pawpact.core.errors import DomainError
from pawpact.loyalty.benefits import member_benefits_get, member_benefits_save
from pawpact.loyalty.evaluation import active_rule_set
from pawpact.loyalty.models import QuotaPeriod, Reevaluation, ReevaluationStatus, TierBasis
from pawpact.loyalty.selectors import reevaluation_latest
from pawpact.loyalty.tiers import tier_preset, tier_rules_save
from pawpact.workspace.enums import Action
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.member_forms import (
    MemberBenefitsForm,
    cell_errors,
    rows_padded,
    tier_rows_initial,
    tier_rows_parse,
)
from pawpact.workspace.views.frame import workspace_view


def _benefits_form() -> MemberBenefitsForm:
    saved = member_benefits_get()
    return MemberBenefitsForm(initial={
        "member_day": saved.member_day, "member_day_discount_percent": saved.member_day_discount_percent,
        "member_day_points_multiplier": saved.member_day_points_multiplier,
        "multi_pet_half_price": saved.multi_pet_half_price,
    })  # fmt: skip


def _context(*, basis: str, rows: list[dict], errors: dict | None = None, message: str = "",
             benefits_form: MemberBenefitsForm | None = None) -> dict:  # fmt: skip
    by_row = cell_errors(errors or {})
    return {
        "benefits_form": benefits_form or _benefits_form(),
        "basis": basis, "bases": TierBasis.choices, "periods": QuotaPeriod.choices, "message": message,
        "rows": [{"index": i, "values": row, "errors": by_row.get(i, {})} for i, row in enumerate(rows)],
        "rule_set": active_rule_set(), "run": reevaluation_latest(),
    }  # fmt: skip


@workspace_view(Action.MEMBER_RULES, section="members")
def member_rules(request):
    rule_set = active_rule_set()
    preset = request.GET.get("preset", "")
    if request.method != "POST" and preset in TierBasis.values:  # a preset to start from: shown, saved only when the owner saves
        return render(request, "workspace/members/rules.html",
                      _context(basis=preset, rows=tier_rows_initial(tier_preset(preset))))  # fmt: skip
    if request.method != "POST":
        basis = rule_set.basis if rule_set else TierBasis.SPEND_VISITS
        tiers = rule_set.tiers.order_by("rank") if rule_set else []
        return render(request, "workspace/members/rules.html", _context(basis=basis, rows=tier_rows_initial(tiers)))
    basis = request.POST.get("basis", "")
    tiers, errors, typed = tier_rows_parse(request.POST)
    if not errors:
        try:
            tier_rules_save(basis=basis, tiers=tiers)
        except DomainError as error:
            errors, message = error.fields, error.message
        else:
            messages.success(request, _("The tier rules are saved; every member is being re-evaluated."))
            return redirect("workspace:member_rules")
    else:
        message = _("The tier rules are not valid.")
    context = _context(basis=basis, rows=rows_padded(typed), errors=errors, message=message)
    context["form_errors"] = [m for key, ms in errors.items() if not key.startswith("tiers.") for m in ms]
    return render(request, "workspace/members/rules.html", context, status=400)


@require_GET
@workspace_view(Action.MEMBER_RULES, section="members")
def member_rules_progress(request, pk: int):
    """The re-evaluation's progress bar; polled by the page until the run is done."""
    run = get_object_or_404(Reevaluation, pk=pk)
    finished = run.status in (ReevaluationStatus.DONE, ReevaluationStatus.FAILED)
    return render(request, "workspace/members/_progress.html", {"run": run, "finished": finished})


@require_POST
@workspace_view(Action.MEMBER_RULES, section="members")
def member_benefits(request):
    """The member day and the multi-pet household benefit."""
    form = MemberBenefitsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member_benefits_save(
                member_day=data["member_day"], discount_percent=data["member_day_discount_percent"],
                points_multiplier=data["member_day_points_multiplier"],
                multi_pet_half_price=data["multi_pet_half_price"],
            )  # fmt: skip
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("The member day and household benefit are saved."))
            return redirect("workspace:member_rules")
    rule_set = active_rule_set()
    rows = tier_rows_initial(rule_set.tiers.order_by("rank") if rule_set else [])
    basis = rule_set.basis if rule_set else TierBasis.SPEND_VISITS
    context = _context(basis=basis, rows=rows, benefits_form=form)
    return render(request, "workspace/members/rules.html", context, status=400)
