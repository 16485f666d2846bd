"""The customer's plan boxes on the H5 pages: each month's box with its items and tracking,
and a reship for an item that is missing or damaged (which items, what happened, photos). The
shop decides a box's reship; the customer follows it here: waiting, approved (with the new
parcel's tracking) or not accepted (with the shop's answer)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pawpact.billing.models import Contract
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus
from pawpact.storefront.forms import ReshipForm
from pawpact.storefront.models import Fulfilment, ReshipRequest
from pawpact.storefront.services.catalog import linked_warehouse_id
from pawpact.storefront.services.plan_boxes import SHIPPING_CONTRACT_STATUSES
from pawpact.storefront.services.reships import RESHIP_WINDOW, reship_request
from pawpact.storefront.shop_views import _context, _customer, items_posted, line_problems


def _boxes(customer):
    return (Fulfilment.objects.filter(customer=customer, kind=FulfilmentKind.PLAN_BOX)
            .select_related("contract__plan_version__plan", "contract__pet")
            .prefetch_related("lines", Prefetch("reship_requests", queryset=ReshipRequest.objects.select_related("reship"))))  # fmt: skip


@login_required(login_url="account_login")
def boxes_page(request):
    customer = _customer(request)
    if customer is None:
        raise Http404
    boxes = list(_boxes(customer).order_by("-created_at", "-id")[:60])
    running = Contract.objects.filter(customer=customer, status__in=SHIPPING_CONTRACT_STATUSES)
    # Said plainly when the shop has not chosen a running plan's box items: nothing can ship.
    waiting = running.exclude(plan_version__box_items__warehouse_sku__warehouse_id=linked_warehouse_id() or 0)
    return render(request, "storefront/shop/boxes.html", _context(
        request, boxes=boxes, running=not boxes and running.exists(), waiting_for_shop=not boxes and waiting.exists()))  # fmt: skip


@login_required(login_url="account_login")
def box_page(request, box_uuid):
    customer = _customer(request)
    if customer is None:
        raise Http404
    # Someone else's box, or another shop's, is simply not found.
    box = get_object_or_404(_boxes(customer), uuid=box_uuid)
    form, refusal = ReshipForm(), None
    if request.method == "POST":
        form = ReshipForm(request.POST)
        if form.is_valid():
            try:
                reship_request(customer=customer, parcel_uuid=box.uuid, reason=form.cleaned_data["reason"],
                               note=form.cleaned_data["note"], photos=request.FILES.getlist("photos"),
                               items=items_posted(request, box))  # fmt: skip
                messages.success(request, _("Reship requested. The shop checks it and answers here."))
                return redirect("storefront:box", box_uuid=box.uuid)
            except DomainError as error:
                refusal = error
    reship = next(iter(box.reship_requests.all()), None)
    sent = box.status in (FulfilmentStatus.DISPATCHED, FulfilmentStatus.DELIVERED)
    in_window = (box.dispatched_at or box.created_at) >= default_clock.now() - RESHIP_WINDOW
    posted = {key: request.POST.get(key, "") for key in request.POST if key.startswith("item_")}
    context = _context(
        request, box=box, tracking=box.tracking.all(), reship=reship, form=form, refusal=refusal,
        items=reship.items.select_related("line") if reship else [], can_request=reship is None and sent and in_window,
        reship_tracking=reship.reship.tracking.all() if reship and reship.reship else [],
        lines=[(line, posted.get(f"item_{line.pk}", "0")) for line in box.lines.all()],
        problems=line_problems(refusal) if refusal else [],
    )  # fmt: skip
    return render(request, "storefront/shop/box.html", context, status=refusal.http_status if refusal else 200)
