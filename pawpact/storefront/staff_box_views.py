"""What a plan's monthly box holds, set by the owner or a manager from the shop's catalog:
the items and quantities, with the box's cost and the plan's gross margin beside them (a
margin under 50% is flagged, SPEC §3)."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pawpact.billing.models import PlanVersion
from pawpact.core.errors import DomainError
from pawpact.storefront.models import PlanBoxItem, Product
from pawpact.storefront.services.catalog import PLAN_MIN_MARGIN, linked_warehouse_id, plan_box_set, plan_margins
from pawpact.storefront.services.demand import demand_after_box_change
from pawpact.storefront.staff_views import CATALOG_EDIT, refused, staff_may, staff_only

ROWS = 8  # a box holds a few items; eight lines leave room to add some


def _posted_items(request) -> list[tuple[str, int]]:
    """(sku, quantity) of the filled rows; a quantity that is not a whole number reaches the service as -1."""
    items = []
    for index in range(ROWS):
        sku = request.POST.get(f"sku_{index}", "").strip()
        raw = request.POST.get(f"quantity_{index}", "").strip() or "1"
        if sku:
            items.append((sku, int(raw) if raw.isdigit() else -1))
    return items


@staff_only
def plan_box_page(request, version_id: int):
    if not staff_may(request, CATALOG_EDIT):
        return refused(request)
    version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=version_id, plan__is_active=True)
    warehouse_id = linked_warehouse_id()
    problems: list[str] = []
    if request.method == "POST":
        try:
            plan_box_set(plan_version=version, items=_posted_items(request))
            demand_after_box_change()
        except DomainError as error:
            problems = [error.message, *(p for field in (error.fields or {}).values() for p in field)]
        else:
            messages.success(request, _("Box saved: the next paid month ships these items."))
            return redirect("storefront:staff_plan_box", version_id=version.pk)
    items = list(PlanBoxItem.objects.filter(plan_version=version, warehouse_sku__warehouse_id=warehouse_id or 0)
                 .select_related("warehouse_sku").order_by("id"))  # fmt: skip
    chosen = [(item.warehouse_sku.sku, item.quantity) for item in items]
    if request.method == "POST":
        chosen = [(request.POST.get(f"sku_{i}", ""), request.POST.get(f"quantity_{i}", "")) for i in range(ROWS)]
    rows = [(i, *(chosen[i] if i < len(chosen) else ("", ""))) for i in range(ROWS)]
    products = Product.objects.filter(warehouse_sku__warehouse_id=warehouse_id or 0).select_related("warehouse_sku")
    summary = next((row for row in plan_margins() if row.plan_version.pk == version.pk), None)
    return render(request, "storefront/staff/plan_box.html", {
        "version": version, "rows": rows, "items": items, "summary": summary, "problems": problems,
        "products": products.order_by("warehouse_sku__category", "warehouse_sku__sku"),
        "min_margin": int(PLAN_MIN_MARGIN * 100)}, status=400 if problems else 200)  # fmt: skip
