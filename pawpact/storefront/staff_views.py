"""Staff pages: the catalog (warehouse SKUs, the shop's prices and margins, plan box margins)
and the parcels (orders, boxes, reships; dispatch SLA breaches). They plug into the
merchant workspace's 商品 Catalog menu."""
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.storefront.forms import PriceForm, RefundForm
from pawpact.storefront.models import FulfilmentLine, Product
from pawpact.storefront.selectors import (
    catalog_skus,
    fulfilment_list,
    order_list,
    order_refund_rows,
    order_reships,
    reship_pending_list,
    reship_recent_list,
    sla_breach_list,
)
from pawpact.storefront.services.catalog import (
    DROP_SHIP_MIN_MARGIN,
    linked_warehouse_id,
    margin,
    plan_margins,
    product_save,
)
from pawpact.storefront.services.parcel_clock import parcel_age_for_test
from pawpact.tenants.modes import current_livemode
from pawpact.storefront.services.refunds import CANCELLABLE, order_cancel, order_refund
from pawpact.storefront.services.reships import reship_decide
from pawpact.warehouses.enums import SkuCategory
from pawpact.warehouses.models import Warehouse


# The workspace's role table decides (settings.PAWPACT_STAFF_ROLE_ALLOWS): the owner and managers set
# prices and boxes, see costs and margins, refund and decide reships; a clerk serves and looks.
CATALOG_EDIT, ORDER_REFUND = "catalog_edit", "order_refund"


def staff_may(request, action: str) -> bool:
    return bool(import_string(settings.PAWPACT_STAFF_ROLE_ALLOWS)(user=request.user, action=action))


def refused(request):
    return render(request, "storefront/staff/forbidden.html", {"role_refused": True}, status=403)


def staff_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "/accounts/login/")
        if not request.user.is_staff:
            return render(request, "storefront/staff/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _price_saved(request) -> bool:
    """Save a posted shop price; a refusal names the SKU, and the page keeps what was typed."""
    form = PriceForm(request.POST)
    sku = request.POST.get("sku", "")[:40]
    if form.is_valid():
        try:
            product_save(sku=form.cleaned_data["sku"], price_minor=form.cleaned_data["price"],
                         is_listed=form.cleaned_data["is_listed"],
                         confirm_below_cost=form.cleaned_data["confirm_below_cost"])  # fmt: skip
        except DomainError as error:
            messages.error(request, f"{sku}: {error.message}")
        else:
            messages.success(request, _("Saved."))
            return True
    else:
        messages.error(request, f"{sku}: " + "; ".join(str(e) for errors in form.errors.values() for e in errors))
    request.price_typed = (sku, request.POST.get("price", "")[:20])
    return False


@staff_only
def catalog_page(request):
    if request.GET.get("export"):
        return redirect(f"{reverse('workspace:catalog_export')}?{request.GET.urlencode()}")
    warehouse_id = linked_warehouse_id()
    may_edit = staff_may(request, CATALOG_EDIT)
    if request.method == "POST" and not may_edit:
        return refused(request)
    if request.method == "POST" and _price_saved(request):
        return redirect(request.get_full_path())
    query, category = request.GET.get("q", "").strip(), request.GET.get("category", "")
    page = Paginator(catalog_skus(query=query, category=category), 25).get_page(request.GET.get("page"))
    products = {p.warehouse_sku_id: p for p in Product.objects.filter(warehouse_sku_id__in=[s.pk for s in page])}
    rows = []
    for sku in page:
        product = products.get(sku.pk)
        value = margin(product.price_minor, sku.cost_minor) if product else None
        rows.append({"sku": sku, "product": product, "margin": value,
                     "low": value is not None and value < DROP_SHIP_MIN_MARGIN})  # fmt: skip
    return render(request, "storefront/staff/catalog.html", {
        "warehouse": Warehouse.objects.filter(pk=warehouse_id).first(), "rows": rows, "page": page, "q": query,
        "category": category, "categories": SkuCategory.choices, "plans": plan_margins(),
        "min_margin": int(DROP_SHIP_MIN_MARGIN * 100), "may_edit": may_edit,
        "typed": getattr(request, "price_typed", ("", "")),
        "export_query": request.GET.urlencode()})  # fmt: skip


@staff_only
def parcels_page(request):
    if request.GET.get("export"):
        return redirect(f"{reverse('workspace:parcels_export')}?{request.GET.urlencode()}")
    parcels = fulfilment_list().prefetch_related(Prefetch("lines", queryset=FulfilmentLine.objects.select_related("warehouse_sku")))[:100]
    return render(request, "storefront/staff/parcels.html", {
        "parcels": parcels, "breaches": sla_breach_list()[:50], "reship_requests": reship_pending_list()[:50],
        "reships_recent": reship_recent_list()[:30], "test_mode": not current_livemode(),
        "may_age": staff_may(request, ORDER_REFUND)})  # fmt: skip


@staff_only
def orders_page(request):
    """Orders are listed with their parcels; their export is the orders' own."""
    if request.GET.get("export"):
        return redirect(f"{reverse('workspace:orders_export')}?{request.GET.urlencode()}")
    return redirect("storefront:staff_parcels")


@require_POST
@staff_only
def reship_decide_submit(request, request_uuid):
    """Approve a plan box's reship (the warehouse ships it) or refuse it with an answer."""
    if not staff_may(request, ORDER_REFUND):
        return refused(request)
    approve = request.POST.get("decision") == "approve"
    try:
        reship_decide(request_uuid=request_uuid, approve=approve, note=request.POST.get("note", ""), actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved: the warehouse ships the box again.") if approve else _("Refused; the customer sees your answer."))
    return redirect("storefront:staff_parcels")


@require_POST
@staff_only
def parcel_age_submit(request, parcel_uuid):
    """Test mode: pretend 24 hours have passed for a parcel at the warehouse (see parcel_clock)."""
    if not staff_may(request, ORDER_REFUND):
        return refused(request)
    try:
        parcel_age_for_test(parcel_uuid=parcel_uuid)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Test mode: the parcel was sent and promised 24 hours earlier."))
    return redirect("storefront:staff_parcels")


@staff_only
def order_page(request, order_uuid):
    """One order: lines, payment, parcel, refunds; cancel before dispatch, refund after."""
    order = get_object_or_404(order_list().prefetch_related("payments", "refunds"), uuid=order_uuid)
    form, may_refund = RefundForm(), staff_may(request, ORDER_REFUND)
    if request.method == "POST" and not may_refund:
        return refused(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                order_cancel(order=order, note=request.POST.get("note", "")[:255])
                messages.success(request, _("Order cancelled; the payment is refunded."))
                return redirect("storefront:staff_order", order_uuid=order.uuid)
            form = RefundForm(request.POST)
            if form.is_valid():
                refund = order_refund(order=order, amount_minor=form.cleaned_data["amount"],
                                      reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                                      actor=request.user)  # fmt: skip
                if refund is None or refund.status == "succeeded":
                    messages.success(request, _("Refunded."))
                else:
                    messages.warning(request, _("The payment provider has not confirmed the refund yet; it is asked again every few minutes."))
                return redirect("storefront:staff_order", order_uuid=order.uuid)
        except DomainError as error:
            messages.error(request, error.message)
    parcel = getattr(order, "fulfilment", None)
    return render(request, "storefront/staff/order.html", {
        "order": order, "parcel": parcel, "form": form, "refunds": order_refund_rows(order=order),
        "can_cancel": may_refund and order.status == "paid" and parcel is not None and parcel.status in CANCELLABLE,
        "can_refund": may_refund and order.paid_at is not None and order.refunded_minor < order.total_minor,
        "reships": order_reships(order=order)})  # fmt: skip
