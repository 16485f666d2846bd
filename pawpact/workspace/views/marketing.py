"""营销 Marketing: coupon templates (in yuan), issued coupons (filters, exports), triggers.
Segments and campaigns: pawpact.workspace.views.campaigns. Owner and manager only."""
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import CouponStatus, CouponTemplate, CouponTrigger, TriggerKind
from pawpact.loyalty.coupon_selectors import STATE_EXPIRED, coupon_list, coupon_templates, coupon_templates_issuing
from pawpact.loyalty.coupon_templates import coupon_template_save
from pawpact.loyalty.coupon_triggers import coupon_announce, trigger_set
from pawpact.loyalty.coupons import coupon_issue, coupon_template_enable
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import column, export_response, local, yuan
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.marketing_forms import TEMPLATE_FIELD_NAMES, CouponTemplateForm, IssueForm, TriggersForm
from pawpact.workspace.views.frame import workspace_view

PAGE_SIZE = 25
STATES = [(CouponStatus.ISSUED.value, CouponStatus.ISSUED.label), (CouponStatus.USED.value, CouponStatus.USED.label),
          (STATE_EXPIRED, gettext_lazy("Expired")), (CouponStatus.VOID.value, CouponStatus.VOID.label)]  # fmt: skip
COUPON_COLUMNS = (
    column(pgettext_lazy("coupon", "Code"), "code"),
    column(gettext_lazy("Coupon"), "template__name"),
    column(gettext_lazy("Customer"), "customer__name"),
    column(gettext_lazy("Mobile phone"), "customer__phone"),
    column(gettext_lazy("Status"), "status", show=lambda value: str(CouponStatus(value).label)),
    column(gettext_lazy("Valid from"), "valid_from"),
    column(gettext_lazy("Valid until"), "valid_until"),
    column(gettext_lazy("Issued at"), "issued_at", show=local),
    column(gettext_lazy("Used at"), "use_at", show=local),
    column(gettext_lazy("Amount used (¥)"), "use_minor", show=yuan),
)


def _template_errors(form, error: DomainError) -> None:
    error.fields = {TEMPLATE_FIELD_NAMES.get(name, name): errors for name, errors in error.fields.items()}
    form_errors_apply(form, error)


@workspace_view(Action.MARKETING, section="marketing")
def marketing(request):
    return render(request, "workspace/marketing/templates.html", {"templates": coupon_templates(), "tab": "templates"})


@workspace_view(Action.MARKETING, section="marketing")
def template_edit(request, pk: int | None = None):
    template = get_object_or_404(CouponTemplate, pk=pk) if pk else None
    initial = CouponTemplateForm.initial_of(template) if template else None
    form = CouponTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = coupon_template_save(template=template, **form.service_data())
        except DomainError as error:
            _template_errors(form, error)
        else:
            if saved.is_expired:
                messages.warning(request, _("The coupon is saved, but its last day (%(day)s) has passed: no coupon "
                                            "of it can be issued until you extend its dates.")
                                 % {"day": saved.valid_until.isoformat()})  # fmt: skip
            else:
                messages.success(request, _("The coupon is saved."))
            return redirect("workspace:marketing")
    status = 400 if form.errors else 200
    return render(request, "workspace/marketing/template_edit.html",
                  {"form": form, "template": template, "tab": "templates"}, status=status)  # fmt: skip


@require_POST
@workspace_view(Action.MARKETING, section="marketing")
def template_toggle(request, pk: int):
    template = get_object_or_404(CouponTemplate, pk=pk)
    coupon_template_enable(template=template, enabled=not template.enabled)
    messages.success(request, _("Enabled.") if template.enabled else _("Disabled: no new coupons are issued."))
    return redirect("workspace:marketing")


@workspace_view(Action.MARKETING, section="marketing")
def template_issue(request, pk: int):
    """Give one customer a coupon by hand (a goodwill gesture at the counter)."""
    template = get_object_or_404(CouponTemplate, pk=pk)
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = Customer.objects.filter(phone=form.cleaned_data["phone"].strip()).first()
        if customer is None:
            form.add_error("phone", _("No customer has this number."))
        else:
            key = f"staff:{request.user.pk}:{request.POST.get('issue_key', '')[:60]}"
            try:
                coupon = coupon_issue(template=template, customer=customer, source_key=key)
            except DomainError as error:
                form_errors_apply(form, error)
            else:
                coupon_announce(coupon=coupon)
                messages.success(request, _("Coupon %(code)s issued to %(name)s.") % {"code": coupon.code,
                                                                                        "name": customer.name})
                return redirect("workspace:marketing_coupons")
    return render(request, "workspace/marketing/issue.html",
                  {"form": form, "template": template, "tab": "templates", "issue_key": _issue_key(request)},
                  status=400 if form.errors else 200)  # fmt: skip


def _issue_key(request) -> str:
    # One key per form shown: a double submit issues one coupon.
    return request.POST.get("issue_key") or uuid.uuid4().hex


@workspace_view(Action.MARKETING, section="marketing")
def coupons(request):
    params = request.GET
    template_id = params.get("template", "")
    rows = coupon_list(status=params.get("status", ""), query=params.get("q", "").strip(),
                       template_id=int(template_id) if template_id.isdigit() else None)  # fmt: skip
    if params.get("export"):
        return export_response(request, rows, COUPON_COLUMNS, name="coupons")
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {"page": page, "query": query.urlencode(), "filters": params, "states": STATES,
               "templates": CouponTemplate.objects.order_by("name"), "tab": "coupons"}  # fmt: skip
    return render(request, "workspace/marketing/coupons.html", context)


@workspace_view(Action.MARKETING, section="marketing")
def triggers(request):
    templates = list(coupon_templates_issuing())
    current = {row.kind: str(row.template_id or "") for row in CouponTrigger.objects.all()}
    form = TriggersForm(request.POST or None, templates=templates, initial=current)
    if request.method == "POST" and form.is_valid():
        by_pk = {str(t.pk): t for t in templates}
        for kind in TriggerKind.values:
            trigger_set(kind=kind, template=by_pk.get(form.cleaned_data.get(kind) or ""))
        messages.success(request, _("Saved."))
        return redirect("workspace:marketing_triggers")
    return render(request, "workspace/marketing/triggers.html", {"form": form, "tab": "triggers"})
