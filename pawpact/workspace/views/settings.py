"""设置: shop profile, debit and collection rules, message limit, staff and roles (owner only),
the change log, and a link to the Pawpact subscription."""
from datetime import timedelta

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.accounts.models import User
from pawpact.billing.services.lifecycle_settings import billing_settings_get, billing_settings_update
from pawpact.core.errors import DomainError
from pawpact.core.text import sentences_join
from pawpact.messaging.in_flight import sms_delivery_counts
from pawpact.messaging.services import messaging_settings_get, messaging_settings_update
from pawpact.storefront.selectors import warehouse_change_effect
from pawpact.storefront.services.catalog import linked_warehouse_id, warehouse_link_set
from pawpact.warehouses.enums import WarehouseStatus
from pawpact.warehouses.selectors import warehouse_list
from pawpact.workspace.enums import Action, Role
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.models import WorkspaceEvent
from pawpact.workspace.services import (
    shop_profile_get,
    shop_profile_update,
    staff_active_set,
    staff_add,
    staff_invitation_send,
    staff_role_change,
)
from pawpact.workspace.settings_forms import (
    BillingRulesForm,
    EscalationRows,
    MessagingForm,
    ProfileForm,
    RenewalRows,
    StaffAddForm,
    renewal_rewards_from,
    renewal_rows_initial,
)
from pawpact.workspace.views.frame import forbidden, workspace_view

TABS = ("profile", "billing", "messages", "warehouse", "staff", "log")


def _render(request, template: str, tab: str, context: dict, *, failed: bool = False):
    return render(request, template, {**context, "tab": tab}, status=400 if failed else 200)


def _saved(request, url_name: str):
    messages.success(request, _("Saved."))
    return redirect(url_name)


@workspace_view(Action.SETTINGS, section="settings")
def settings_profile(request):
    profile = shop_profile_get()
    form = ProfileForm(request.POST or None, request.FILES or None, initial=ProfileForm.initial_for(shop=request.tenant, profile=profile))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shop_profile_update(
                shop=request.tenant, actor=request.user, name=data["name"], logo=data["logo"],
                licence_file=data["licence_file"], logo_clear=data["logo_clear"],
                **{field: data[field] for field in ("address", "contact_phone", "contact_email", "opening_hours", "licence_number")},
            )  # fmt: skip
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            return _saved(request, "workspace:settings")
    return _render(request, "workspace/settings/profile.html", "profile", {"form": form, "profile": profile},
                   failed=form.is_bound)  # fmt: skip


@workspace_view(Action.SETTINGS, section="settings")
def settings_licence(request):
    profile = shop_profile_get()
    if not profile.licence_file:
        raise Http404
    return FileResponse(profile.licence_file.open("rb"), as_attachment=True, filename=profile.licence_file.name.rsplit("/", 1)[-1])


def shop_logo(request):
    """The shop's logo for its pages (public: customers see it on the shop's home)."""
    profile = shop_profile_get()
    if not profile.logo:
        raise Http404
    response = FileResponse(profile.logo.open("rb"))
    response["Cache-Control"] = "public, max-age=300"
    return response


@workspace_view(Action.SETTINGS, section="settings")
def settings_billing(request):
    row = billing_settings_get()
    data = request.POST or None
    form = BillingRulesForm(data, initial=BillingRulesForm.initial_for(row))
    steps = EscalationRows(data, initial=row.escalation_steps, prefix="steps")
    rewards = RenewalRows(data, initial=renewal_rows_initial(row.renewal_rewards), prefix="rewards")
    if request.method == "POST" and all([form.is_valid(), steps.is_valid(), rewards.is_valid()]):
        values = {**form.cleaned_data, "escalation_steps": [step for f in steps.forms if (step := f.step())],
                  "renewal_rewards": renewal_rewards_from(rewards, row.renewal_rewards)}  # fmt: skip
        try:
            billing_settings_update(**values)
        except DomainError as error:
            for rows, field in ((steps, "escalation_steps"), (rewards, "renewal_rewards")):
                rows.non_form_errors().extend(error.fields.pop(field, []))
            form_errors_apply(form, error)
        else:
            return _saved(request, "workspace:settings_billing")
    context = {"form": form, "steps": steps, "rewards": rewards}
    return _render(request, "workspace/settings/billing.html", "billing", context, failed=form.is_bound)


@workspace_view(Action.SETTINGS, section="settings")
def settings_messages(request):
    row = messaging_settings_get()
    form = MessagingForm(request.POST or None, initial={"marketing_messages_per_day": row.marketing_messages_per_day})
    if request.method == "POST" and form.is_valid():
        try:
            messaging_settings_update(**form.cleaned_data)
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            return _saved(request, "workspace:settings_messages")
    # What happened to the shop's SMS: the carrier's receipts, retries, and refusals.
    sms = sms_delivery_counts(since=timezone.now() - timedelta(days=30))
    context = {"form": form, "sms": sms}
    return _render(request, "workspace/settings/messages.html", "messages", context, failed=form.is_bound)


@workspace_view(Action.STAFF, section="settings")
def settings_staff(request):
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_add(actor=request.user, **form.cleaned_data)
            staff_invitation_send(user=user, shop=request.tenant, base_url=request.build_absolute_uri("/"))
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("%(name)s is added; an invitation went to %(email)s.") % {"name": user.name, "email": user.email})
            return redirect("workspace:settings_staff")
    staff = list(User.objects.filter(is_staff=True).select_related("workspace_role").order_by("-is_superuser", "-is_active", "name"))
    rows = [(member, role_of_row(member)) for member in staff]
    context = {"form": form, "rows": rows, "roles": [(Role.MANAGER, Role.MANAGER.label), (Role.CLERK, Role.CLERK.label)]}
    return _render(request, "workspace/settings/staff.html", "staff", context, failed=form.is_bound)


def role_of_row(member: User) -> Role:
    """The member's role from the prefetched row (role_of would query once per member)."""
    if member.is_superuser:
        return Role.OWNER
    row = getattr(member, "workspace_role", None)
    return Role(row.role) if row is not None else Role.CLERK


@require_POST
@workspace_view(Action.STAFF, section="settings")
def settings_staff_member(request, user_id: int):
    member = get_object_or_404(User, pk=user_id, is_staff=True)
    action = request.POST.get("action")
    try:
        if action == "role":
            staff_role_change(user=member, role=request.POST.get("role", ""), actor=request.user)
        elif action in ("deactivate", "reactivate"):
            staff_active_set(user=member, is_active=action == "reactivate", actor=request.user)
        else:
            raise Http404
    except DomainError as error:
        if error.http_status == 403:
            return forbidden(request, error.message)
        messages.error(request, sentences_join([error.message, *sum(error.fields.values(), [])]))
    else:
        messages.success(request, _("Saved."))
    return redirect("workspace:settings_staff")


@workspace_view(Action.SETTINGS, section="settings")
def settings_log(request):
    events = WorkspaceEvent.objects.select_related("actor")[:100]
    return _render(request, "workspace/settings/log.html", "log", {"events": events})


@workspace_view(Action.SETTINGS, section="settings")
def settings_warehouse(request):
    """The partner warehouse the shop sells from and ships through (one of the onboarded ones).
    Moving to another one takes the old one's products off sale, so it asks first."""
    current = linked_warehouse_id()
    warehouses = warehouse_list().filter(status=WarehouseStatus.ACTIVE)
    context = {"warehouses": warehouses, "current": current}
    if request.method == "POST":
        try:
            chosen = int(request.POST.get("warehouse") or 0)
        except ValueError:
            chosen = 0
        moving = current is not None and chosen != current and warehouses.filter(pk=chosen).exists()
        if moving and request.POST.get("confirm") != "yes":
            context.update(chosen=warehouses.get(pk=chosen), effect=warehouse_change_effect(warehouse_id=chosen))
            return _render(request, "workspace/settings/warehouse_confirm.html", "warehouse", context)
        try:
            warehouse_link_set(warehouse_id=chosen)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if not moving:
                return _saved(request, "workspace:settings_warehouse")
            messages.success(request, _("Warehouse changed. Choose the products to sell from the new warehouse in "
                                        "the catalog, and set each plan's box items again."))
            return redirect("storefront:staff_catalog")
    return _render(request, "workspace/settings/warehouse.html", "warehouse", context)
