"""The customer's H5 storefront on the shop's host: browse (no login), cart, checkout,
orders with tracking, reship requests. Mobile first (390 px)."""
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pawpact.billing.models import PaymentMethod, Plan, PlanVersion
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.core.errors import DomainError
from pawpact.payments.outcomes import decline_reason
from pawpact.customers.models import Customer
from pawpact.storefront.forms import AddressForm, ReshipForm
from pawpact.storefront.models import Fulfilment, Order, PlanBoxItem, Product, ReshipPhoto
from pawpact.storefront.pricing import coupon_options, discount_for, stored_value
from pawpact.storefront.selectors import cart_get, order_list, product_is_sellable, product_list
from pawpact.storefront.services.addresses import address_set
from pawpact.storefront.services.orders import cart_line_add, cart_refill, cart_set, checkout
from pawpact.storefront.services.refunds import CANCELLABLE, order_cancel
from pawpact.storefront.services.reships import reship_request
from pawpact.tenants.modes import current_livemode
from pawpact.warehouses.enums import SkuCategory

NEW_SANDBOX_CARD = "sandbox-new"
# Test cards a sandbox shop offers at checkout, so a decline can be tried from the page too.
SANDBOX_CARDS = {NEW_SANDBOX_CARD: "tok_success", "sandbox-declined": "tok_insufficient_funds",
                 "sandbox-hard-decline": "tok_hard_decline", "sandbox-slow": "tok_slow"}  # fmt: skip


def _customer(request) -> Customer | None:
    if not request.user.is_authenticated:
        return None
    return Customer.objects.filter(user=request.user).select_related("shipping_address").first()


def _context(request, **extra) -> dict:
    customer = _customer(request)
    return {"shop": request.tenant, "customer": customer,
            "cart_count": cart_get(customer=customer).count if customer else 0, **extra}  # fmt: skip


def shop_front(request):
    category = request.GET.get("category", "")
    if category not in SkuCategory.values:
        category = ""
    plans = Plan.objects.filter(is_active=True).prefetch_related(
        Prefetch("versions", queryset=PlanVersion.objects.order_by("-version"))
    )
    plan_rows = [(plan, plan.versions.all()[0]) for plan in plans if plan.versions.all()]
    query = request.GET.get("q", "").strip()[:60]
    products = product_list(category=category)
    if query:
        products = products.filter(Q(warehouse_sku__name__icontains=query) | Q(warehouse_sku__name_en__icontains=query)
                                   | Q(warehouse_sku__sku__iexact=query))  # fmt: skip
    return render(request, "storefront/shop/front.html", _context(
        request, products=products[:60], plans=plan_rows, category=category, q=query,
        categories=SkuCategory.choices, zones=import_string(settings.PAWPACT_SHOP_ZONES_READER)()))  # fmt: skip


def plan_page(request, code: str):
    plan = get_object_or_404(Plan, code=code, is_active=True)
    version = plan.versions.order_by("-version").first()
    items = PlanBoxItem.objects.filter(plan_version=version).select_related("warehouse_sku")
    return render(request, "storefront/shop/plan.html", _context(request, plan=plan, version=version, items=items))


def product_page(request, product_id: int):
    product = get_object_or_404(Product.objects.select_related("warehouse_sku"), pk=product_id, is_listed=True)
    return render(request, "storefront/shop/product.html",
                  _context(request, product=product, sellable=product_is_sellable(product)))  # fmt: skip


@require_POST
def cart_add(request, product_id: int):
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next=/shop/products/{product_id}/")
    customer = _customer(request)
    product = get_object_or_404(Product.objects.select_related("warehouse_sku"), pk=product_id)
    if customer is None:
        messages.error(request, _("Only customers of this shop can buy."))
        return redirect("storefront:product", product_id=product_id)
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = -1
    try:
        line = cart_line_add(customer=customer, product=product, quantity=quantity)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("storefront:product", product_id=product_id)
    messages.success(request, _("Added: %(n)s in your cart now.") % {"n": line.quantity})
    return redirect("storefront:cart")


def _cart_line_change(request, customer) -> None:
    """A cart line's new quantity (0 or the remove button takes it out)."""
    product = Product.objects.select_related("warehouse_sku").filter(pk=request.POST.get("product") or 0).first()
    if product is None:
        messages.error(request, _("This product is not in your cart."))
        return
    raw = "0" if request.POST.get("remove") else request.POST.get("quantity", "").strip()
    try:
        cart_set(customer=customer, product=product, quantity=int(raw) if raw.isdigit() else -1)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Cart updated."))


@login_required(login_url="account_login")
def cart_page(request):
    customer = _customer(request)
    if customer is None:
        raise Http404
    address_form = AddressForm(instance=getattr(customer, "shipping_address", None))
    if request.method == "POST" and request.POST.get("action") == "line":
        _cart_line_change(request, customer)
        return redirect("storefront:cart")
    if request.method == "POST" and request.POST.get("action") == "address":
        address_form = AddressForm(request.POST, instance=getattr(customer, "shipping_address", None))
        if address_form.is_valid():
            address = address_form.save(commit=False)
            address.customer = customer
            address.save()
            messages.success(request, _("Delivery address saved."))
            return redirect("storefront:cart")
    return _cart_render(request, customer, address_form)


def _cart_render(request, customer, address_form, status: int = 200):
    """The cart with its checkout: the address form shown is the one the order ships to."""
    livemode = current_livemode()
    methods = PaymentMethod.objects.filter(customer=customer, is_active=True, livemode=livemode)
    cart = cart_get(customer=customer)
    # The checkout's own computation, so the cart shows what will be charged.
    member = discount_for(customer=customer, subtotal_minor=cart.subtotal_minor) if cart.lines else None
    coupons = [{"option": option, "total_minor": cart.subtotal_minor - option.discount_minor}
               for option in coupon_options(customer=customer, subtotal_minor=cart.subtotal_minor)] if cart.lines else []
    # The coupon that saves the most is chosen for the customer; they may pick another or none.
    best = max(coupons, key=lambda row: row["option"].discount_minor)["option"].code if coupons else ""
    return render(request, "storefront/shop/cart.html", _context(
        request, cart=cart, address_form=address_form, methods=methods, member_discount=member, coupons=coupons,
        best_coupon=best,
        total_minor=cart.subtotal_minor - (member.amount_minor if member else 0),
        stored_value_minor=stored_value().balance_minor(customer=customer), checkout_key=uuid.uuid4().hex, new_card="" if livemode else NEW_SANDBOX_CARD), status=status)  # fmt: skip


@require_POST
@login_required(login_url="account_login")
def checkout_submit(request):
    customer = _customer(request)
    if customer is None:
        raise Http404
    # The order ships to the address posted with the payment, i.e. the one the customer saw and
    # could edit on the cart page; a missing or incomplete one is refused before any money moves.
    address_form = AddressForm(request.POST, instance=getattr(customer, "shipping_address", None))
    if not address_form.is_valid():
        messages.error(request, _("Add the delivery address before paying."))
        return _cart_render(request, customer, address_form, status=400)
    if address_form.has_changed() or address_form.instance.pk is None:
        address_set(customer=customer, **address_form.cleaned_data)
        customer = _customer(request)
    choice = request.POST.get("payment_method", "")
    use_stored_value = request.POST.get("use_stored_value") == "1"
    try:
        if choice in SANDBOX_CARDS:
            method = payment_method_attach(customer=customer, rail="sandbox", token=SANDBOX_CARDS[choice])
        else:
            method = PaymentMethod.objects.filter(customer=customer, pk=int(choice or 0)).first()
        if method is None and not use_stored_value:
            messages.error(request, _("Choose a payment method."))
            return redirect("storefront:cart")
        order = checkout(customer=customer, payment_method=method, checkout_key=request.POST.get("checkout_key", "")[:100],
                         coupon_code=(request.POST.get("coupon_code", "").strip() or request.POST.get("coupon_pick", ""))[:20], use_stored_value=use_stored_value)
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", _("Choose a payment method.")))
        return redirect("storefront:cart")
    return redirect("storefront:order", order_uuid=order.uuid)


@login_required(login_url="account_login")
def orders_page(request):
    customer = _customer(request)
    orders = order_list(customer=customer) if customer else Order.objects.none()
    boxes = Fulfilment.objects.filter(customer=customer, kind="plan_box") if customer else []
    return render(request, "storefront/shop/orders.html", _context(request, orders=orders[:50], boxes=boxes[:24]))


def _own_order(request, order_uuid) -> tuple[Customer, Order]:
    """The logged-in customer's order; anyone else's (or another shop's) is a 404."""
    customer = _customer(request)
    if customer is None:
        raise Http404
    return customer, get_object_or_404(order_list(customer=customer), uuid=order_uuid)


@login_required(login_url="account_login")
def order_page(request, order_uuid):
    customer, order = _own_order(request, order_uuid)
    parcel = order.fulfilment
    form = ReshipForm()
    if request.method == "POST":
        form = ReshipForm(request.POST)
        if form.is_valid():
            try:
                reship_request(customer=customer, parcel_uuid=parcel.uuid, reason=form.cleaned_data["reason"],
                               note=form.cleaned_data["note"], photos=request.FILES.getlist("photos"),
                               items=items_posted(request, parcel))  # fmt: skip
                messages.success(request, _("Reship requested: the warehouse ships it within 48 hours."))
                return redirect("storefront:order", order_uuid=order.uuid)
            except DomainError as error:
                form.add_error(None, error.message)
                for problem in line_problems(error):
                    form.add_error(None, problem)
    posted = {key: request.POST.get(key, "") for key in request.POST if key.startswith("item_")}
    return render(request, "storefront/shop/order.html", _context(
        request, order=order, parcel=parcel, tracking=parcel.tracking.all(), form=form,
        reship_requests=parcel.reship_requests.select_related("reship").prefetch_related("items__line", "photos"),
        lines=[(line, posted.get(f"item_{line.pk}", "0")) for line in parcel.lines.all()],
        can_cancel=order.status == "paid" and parcel.status in CANCELLABLE, refunds=order.refunds.all(),
        declined=_declined_reason(order)))  # fmt: skip


def _declined_reason(order) -> str:
    """Why the order's last try at paying failed, in plain words ("" unless its payment failed)."""
    if order.status != "payment_failed":
        return ""
    failed = order.payments.filter(status="failed").order_by("-number").first()
    return decline_reason(failed.outcome if failed else "")


@require_POST
@login_required(login_url="account_login")
def order_to_cart(request, order_uuid):
    """Put a declined order's items back in the cart, where the customer can pay again."""
    customer, order = _own_order(request, order_uuid)
    if order.status != "payment_failed":
        raise Http404
    missing = cart_refill(customer=customer, order=order)
    if missing:
        messages.warning(request, _("No longer available: %(names)s.") % {"names": ", ".join(missing)})
    else:
        messages.success(request, _("The items are back in your cart: choose how to pay."))
    return redirect("storefront:cart")


def line_problems(error) -> list[str]:
    """A refusal's per-line notes ("0 to 2.") to show under its message; the other fields' notes
    only restate the message on a page (the API still returns them by field)."""
    fields = getattr(error, "fields", None) or {}
    return [problem for key, problems in fields.items() if key.startswith("item") for problem in problems]


def items_posted(request, parcel) -> dict[int, int]:
    """{line id: quantity} of a reship as posted; a value that is not a whole number reaches the service as -1."""
    items = {}
    for line in parcel.lines.all():
        raw = request.POST.get(f"item_{line.pk}", "").strip() or "0"
        items[line.pk] = int(raw) if raw.isdigit() else -1
    return items


@require_POST
@login_required(login_url="account_login")
def order_cancel_submit(request, order_uuid):
    order = _own_order(request, order_uuid)[1]
    try:
        order_cancel(order=order)
        messages.success(request, _("Order cancelled. The payment is being refunded to where it came from."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("storefront:order", order_uuid=order.uuid)


@login_required(login_url="account_login")
def reship_photo(request, request_uuid, photo_id: int):
    """A reship's damage photo, for this shop's staff or the customer who sent it; anyone else
    (another customer; another shop, whose schema has no such row) gets a 404, never a file."""
    photos = ReshipPhoto.objects.filter(pk=photo_id, request__uuid=request_uuid)
    if not request.user.is_staff:
        customer = _customer(request)
        photos = photos.filter(request__customer=customer) if customer else photos.none()
    photo = get_object_or_404(photos)
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
