"""套餐: the plans on sale, each plan's versions, and the editor (in yuan, with entitlement rows).

Editing a plan's terms creates its next version; contracts keep the version they signed.
"""
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Plan, PlanVersion
from pawpact.billing.services.plans import plan_create, plan_update, plan_version_create
from pawpact.core.errors import DomainError
from pawpact.workspace.enums import Action
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.plan_forms import PlanRenameForm, plan_editor
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import forbidden, workspace_view


def _versions():
    return PlanVersion.objects.annotate(
        contracts_signed=Count("contracts", filter=~Q(contracts__status__in=(ContractStatus.DRAFT, ContractStatus.WITHDRAWN))),
        contracts_active=Count("contracts", filter=Q(contracts__status=ContractStatus.ACTIVE)),
    ).order_by("-version")


def _plans():
    return Plan.objects.prefetch_related(Prefetch("versions", queryset=_versions(), to_attr="version_list"))


@workspace_view(section="plans")
def plans(request):
    rows = [(plan, plan.version_list[0] if plan.version_list else None) for plan in _plans().order_by("-is_active", "name")]
    context = {"rows": rows, "may_edit": role_allows(request.workspace_role, Action.PLAN_EDIT)}
    return render(request, "workspace/plans/list.html", context)


def _free_code(name: str) -> str:
    """A code for the API from the name (Chinese names slugify to nothing: then `plan`), unique."""
    base = slugify(name)[:30] or "plan"
    taken = set(Plan.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def _save_terms(request, form, entitlements, rewards, save):
    """Validate the three parts together; call `save(terms)`; errors back onto the fields."""
    valid = [part.is_valid() for part in (form, entitlements, rewards)]
    if not all(valid):
        return None
    terms = {**form.terms(), "entitlements": entitlements.rows(), "fulfilment_rewards": rewards.rows()}
    try:
        return save(terms)
    except DomainError as error:
        for rows, field in ((entitlements, "entitlements"), (rewards, "fulfilment_rewards")):
            for message in error.fields.pop(field, []):
                rows.non_form_errors().append(message)
        form_errors_apply(form, error)
        return None


@workspace_view(Action.PLAN_EDIT, section="plans")
def plan_new(request):
    form, entitlements, rewards = plan_editor(request.POST or None, create=True)
    if request.method == "POST":

        def save(terms):
            name = terms.pop("name")
            return plan_create(code=_free_code(terms.get("name_en") or name), name=name, **terms)

        plan = _save_terms(request, form, entitlements, rewards, save)
        if plan is not None:
            messages.success(request, _("The plan is on sale."))
            return redirect("workspace:plan_detail", pk=plan.pk)
    context = {"form": form, "entitlements": entitlements, "rewards": rewards, "plan": None}
    return render(request, "workspace/plans/edit.html", context, status=400 if form.is_bound else 200)


@workspace_view(section="plans")
def plan_detail(request, pk: int):
    plan = get_object_or_404(_plans(), pk=pk)
    may_edit = role_allows(request.workspace_role, Action.PLAN_EDIT)
    form = PlanRenameForm(request.POST or None, initial={"name": plan.name, "name_en": plan.name_en, "is_active": plan.is_active})
    if request.method == "POST":
        if not may_edit:
            return forbidden(request)
        if form.is_valid():
            try:
                plan_update(plan=plan, **form.cleaned_data)
            except DomainError as error:
                form_errors_apply(form, error)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("workspace:plan_detail", pk=plan.pk)
    current = plan.version_list[0] if plan.version_list else None
    context = {"plan": plan, "current": current, "versions": plan.version_list, "form": form, "may_edit": may_edit}
    return render(request, "workspace/plans/detail.html", context, status=400 if form.errors else 200)


@workspace_view(Action.PLAN_EDIT, section="plans")
def plan_edit(request, pk: int):
    """New terms for the plan: saved as its next version."""
    plan = get_object_or_404(Plan, pk=pk)
    current = plan.versions.order_by("-version").first()
    form, entitlements, rewards = plan_editor(request.POST or None, version=current)
    if request.method == "POST":
        version = _save_terms(request, form, entitlements, rewards, lambda terms: plan_version_create(plan=plan, **terms))
        if version is not None:
            messages.success(
                request, _("Version %(n)d is saved; new signings use it, signed contracts keep theirs.") % {"n": version.version}
            )
            return redirect("workspace:plan_detail", pk=plan.pk)
    context = {"form": form, "entitlements": entitlements, "rewards": rewards, "plan": plan, "current": current}
    return render(request, "workspace/plans/edit.html", context, status=400 if form.is_bound else 200)
