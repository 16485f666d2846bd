"""营销 Marketing: referrals (who brought whom, what each was given) and the points mall
(items in points or points + cash, their stock, and the redemptions handed over)."""
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.loyalty import mall
from pawpact.loyalty import wallet_selectors as selectors
from pawpact.loyalty.wallet_models import MallItem, Redemption, RedemptionStatus, ReferralStatus
from pawpact.workspace.enums import Action
from pawpact.workspace.exports import export_response
from pawpact.workspace.fields import YuanField, fen_to_yuan
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.roles import role_allows
from pawpact.workspace.views.frame import forbidden, workspace_view
from pawpact.workspace.views.wallet_tables import MALL_ITEM_COLUMNS, REDEMPTION_COLUMNS, REFERRAL_COLUMNS

PAGE_SIZE = 25
SECTION = "marketing"


class MallItemForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=80)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    points = forms.IntegerField(label=gettext_lazy("Points"), min_value=1, max_value=mall.MAX_POINTS)
    cash = YuanField(label=gettext_lazy("Cash part (¥)"), allow_zero=True, required=False,
                     help_text=gettext_lazy("Leave empty or 0 for points only."))  # fmt: skip
    stock = forms.IntegerField(label=gettext_lazy("Stock"), min_value=0, max_value=1_000_000)
    active = forms.BooleanField(label=gettext_lazy("On sale"), required=False, initial=True)


def _listing(request, rows, columns, *, name: str):
    """The page of rows and the query string, or the export the query asks for."""
    if request.GET.get("export"):
        return None, export_response(request, rows, columns, name=name)
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), "query": query.urlencode()}, None


@workspace_view(section=SECTION)
def referrals(request):
    rows = selectors.referral_list()
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        rows = rows.filter(status=status)
    context, export = _listing(request, rows, REFERRAL_COLUMNS, name="referrals")
    if export:
        return export
    return render(request, "workspace/marketing/referrals.html", {
        **context, "status": status, "statuses": ReferralStatus.choices,
        "totals": {"all": selectors.referral_list().count(),
                   "converted": selectors.referral_list().filter(status=ReferralStatus.CONVERTED).count()},
    })  # fmt: skip


@workspace_view(section=SECTION)
def mall_items(request):
    if request.GET.get("export"):
        return export_response(request, selectors.mall_items(), MALL_ITEM_COLUMNS, name="mall-items")
    may_edit = role_allows(request.workspace_role, Action.MARKETING)
    form = MallItemForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            return forbidden(request)
        if _item_save(request, form, item=None):
            return redirect("workspace:marketing_mall")
    return render(request, "workspace/marketing/mall.html", {
        "items": selectors.mall_items(), "form": form, "may_edit": may_edit,
    }, status=400 if form.errors else 200)  # fmt: skip


@workspace_view(Action.MARKETING, section=SECTION)
def mall_item_edit(request, pk: int):
    item = get_object_or_404(MallItem, pk=pk)
    initial = {"name": item.name, "description": item.description, "points": item.points,
               "cash": fen_to_yuan(item.cash_minor), "stock": item.stock, "active": item.active}  # fmt: skip
    form = MallItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and _item_save(request, form, item=item):
        return redirect("workspace:marketing_mall")
    return render(request, "workspace/marketing/mall_item.html", {"item": item, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def _item_save(request, form, *, item) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        mall.item_save(item=item, name=data["name"], description=data["description"], points=data["points"],
                       cash_minor=data["cash"] or 0, stock=data["stock"], active=data["active"])  # fmt: skip
    except DomainError as error:
        form_errors_apply(form, error)
        return False
    messages.success(request, _("The item is saved."))
    return True


@workspace_view(section=SECTION)
def redemptions(request):
    rows = selectors.redemption_list()
    status = request.GET.get("status", "")
    if status in RedemptionStatus.values:
        rows = rows.filter(status=status)
    context, export = _listing(request, rows, REDEMPTION_COLUMNS, name="redemptions")
    if export:
        return export
    return render(request, "workspace/marketing/redemptions.html", {
        **context, "status": status, "statuses": RedemptionStatus.choices,
        "may_hand_over": role_allows(request.workspace_role, Action.CUSTOMER_EDIT),
    })  # fmt: skip


@require_POST
@workspace_view(Action.CUSTOMER_EDIT, section=SECTION)
def redemption_hand_over(request, uuid):
    redemption = mall.handed_over(redemption=get_object_or_404(Redemption, uuid=uuid))
    if redemption.status == RedemptionStatus.HANDED_OVER:
        messages.success(request, _("Marked as handed over."))
    return redirect("workspace:marketing_redemptions")
