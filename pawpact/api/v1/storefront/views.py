"""The storefront's catalog for mini-programs and other clients: anonymous, the shop's listed
products that can be bought now (a sold-out SKU leaves the list at once).

The customer's side of the shop for mini-programs: delivery address, cart, checkout,
orders with their shipment and tracking, cancellation before dispatch, reship requests.

A customer reaches only their own cart and orders (someone else's order answers 404);
staff have no cart, and read every order of the shop. Checkout moves money, so it needs an
`Idempotency-Key`; the key also names the order, so a retry whose first answer was lost
finds the same order and never charges twice."""
import hashlib

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.errors import fields_as_sent, unknown_payment_method
from pawpact.api.expand import expand_parameter, expansions
from pawpact.api.idempotency import HEADER, idempotent
from pawpact.api.opaque_ids import PRODUCT, id_parameter
from pawpact.api.openapi import ERRORS
from pawpact.api.query import query_valid
from pawpact.api.v1.storefront import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.billing.models import PaymentMethod
from pawpact.core.errors import NotFound, PermissionDenied
from pawpact.customers.models import Customer
from pawpact.storefront.enums import FulfilmentKind
from pawpact.storefront.errors import CartQuantityLimit
from pawpact.storefront.models import (
    CartLine,
    Fulfilment,
    Order,
    OrderLine,
    OrderRefund,
    Product,
    ReshipRequest,
    TrackingEvent,
)
from pawpact.storefront.selectors import cart_get, declined_payments_prefetch, product_list
from pawpact.storefront.services.addresses import address_set
from pawpact.storefront.services.catalog import linked_warehouse_id
from pawpact.storefront.services.orders import MAX_QUANTITY, cart_set, checkout, order_metadata_update
from pawpact.storefront.services.refunds import order_cancel
from pawpact.storefront.services.reships import reship_request


class ProductListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.ProductSerializer

    def get_queryset(self):
        query = s.ProductQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return product_list(category=query.validated_data.get("category", ""))

    @extend_schema(
        summary=gettext_lazy("Products on sale now (anonymous), newest first; filter by category"),
        parameters=[s.ProductQuerySerializer], responses={200: s.ProductSerializer(many=True), **ERRORS},
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


PRODUCT_ID = id_parameter("product_id", PRODUCT, "product")


@extend_schema(parameters=[PRODUCT_ID])
class ProductDetailApi(RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.ProductSerializer

    def get_queryset(self):
        return product_list(include_unavailable=True).filter(is_listed=True)

    def get_object(self):
        pk = path_pk(PRODUCT, self.kwargs["product_id"], self.request) or 0
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(summary=gettext_lazy("One listed product (anonymous); in_stock says whether it can be bought now"),
                   responses={200: s.ProductSerializer, **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)



def _customer(request) -> Customer:
    # With the address: a checkout reads both, in one statement.
    customer = Customer.objects.filter(user=request.user).select_related("shipping_address").first()
    if customer is None:
        raise PermissionDenied(_("The cart, checkout and address belong to a customer's own sign-in."))
    return customer


def _product(product_id: int) -> Product:
    product = Product.objects.select_related("warehouse_sku").filter(
        pk=product_id, warehouse_sku__warehouse_id=linked_warehouse_id() or 0).first()  # fmt: skip
    if product is None:
        raise NotFound(_("No such product at this shop."), fields={"product_id": [_("Unknown product.")]})
    return product


def _cart_answer(customer: Customer, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.CartSerializer(cart_get(customer=customer)).data, status=code)


ORDER_EXPANDS = ("lines.product",)


def _order_prefetches(expand: frozenset[str] = frozenset()) -> tuple:
    lines = OrderLine.objects.select_related("warehouse_sku")
    if "lines.product" in expand:
        lines = lines.select_related("product__warehouse_sku")
    return (Prefetch("lines", queryset=lines), "refunds",
            Prefetch("fulfilment__tracking", queryset=TrackingEvent.objects.order_by("at", "id")))  # fmt: skip


def orders_for(request, expand: frozenset[str] = frozenset()):
    orders = Order.objects.select_related("customer", "fulfilment").prefetch_related(
        *_order_prefetches(expand), declined_payments_prefetch()
    )
    return orders if request.user.is_staff else orders.filter(customer__user=request.user)


def _order_answer(request, order: Order) -> Order:
    """The order as the API answers it. A paid checkout's order comes back read under its lock
    with its customer and parcel: only its lines, refunds and tracking are fetched."""
    if Order.customer.is_cached(order) and Order.fulfilment.is_cached(order):
        # Paid in this request, read under its lock: it has no refund yet, and its parcel no
        # tracking (only the warehouse's callbacks, after the parcel is sent, add any). Two
        # reads fewer on the busiest write, and the answer is the order as it was paid.
        lines, _refunds, _tracking = _order_prefetches()
        prefetch_related_objects([order], lines)
        order._prefetched_objects_cache["refunds"] = OrderRefund.objects.none()
        fulfilment = order.fulfilment
        if fulfilment is not None:
            fulfilment.__dict__.setdefault("_prefetched_objects_cache", {})["tracking"] = TrackingEvent.objects.none()
        return order
    return orders_for(request).get(pk=order.pk)


class AddressApi(APIView):
    @extend_schema(summary=gettext_lazy("My delivery address (404 until one is saved)"), responses={200: s.AddressSerializer, **ERRORS})
    def get(self, request):
        address = getattr(_customer(request), "shipping_address", None)
        if address is None:
            raise NotFound(_("No delivery address yet."))
        return Response(s.AddressSerializer(address).data)

    @extend_schema(summary=gettext_lazy("Save my delivery address (orders already placed keep theirs)"),
                   request=s.AddressInputSerializer, responses={200: s.AddressSerializer, **ERRORS})  # fmt: skip
    def put(self, request):
        customer = _customer(request)
        data = s.AddressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.AddressSerializer(address_set(customer=customer, **data.validated_data)).data)


class CartApi(APIView):
    @extend_schema(summary=gettext_lazy("My cart, with each line's stock state"), responses={200: s.CartSerializer, **ERRORS})
    def get(self, request):
        return _cart_answer(_customer(request))


class CartLineAddApi(APIView):
    @extend_schema(summary=gettext_lazy("Add a product to my cart (quantities add up; 99 at most)"),
                   request=s.CartLineAddSerializer, responses={201: s.CartSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        customer = _customer(request)
        data = s.CartLineAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = _product(data.validated_data["product_id"])
        held = CartLine.objects.filter(customer=customer, product=product).values_list("quantity", flat=True).first() or 0
        quantity = held + data.validated_data["quantity"]
        if quantity > MAX_QUANTITY:
            raise CartQuantityLimit(_("At most 99 of one product per order."), fields={"quantity": [_("Too many.")]})
        cart_set(customer=customer, product=product, quantity=quantity)
        return _cart_answer(customer, status.HTTP_201_CREATED)


@extend_schema(parameters=[PRODUCT_ID])
class CartLineApi(APIView):
    @extend_schema(summary=gettext_lazy("Change the quantity of a product in my cart"),
                   request=s.CartLineSetSerializer, responses={200: s.CartSerializer, **ERRORS})  # fmt: skip
    def patch(self, request, product_id: str):
        customer = _customer(request)
        data = s.CartLineSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = get_object_or_404(CartLine.objects.select_related("product__warehouse_sku"), customer=customer,
                                 product_id=path_pk(PRODUCT, product_id, request) or 0)  # fmt: skip
        cart_set(customer=customer, product=line.product, quantity=data.validated_data["quantity"])
        return _cart_answer(customer)

    @extend_schema(summary=gettext_lazy("Remove a product from my cart"), responses={200: s.CartSerializer, **ERRORS})
    def delete(self, request, product_id: str):
        customer = _customer(request)
        line = get_object_or_404(CartLine.objects.select_related("product"), customer=customer,
                                 product_id=path_pk(PRODUCT, product_id, request) or 0)  # fmt: skip
        cart_set(customer=customer, product=line.product, quantity=0)
        return _cart_answer(customer)


class CheckoutApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Check out my cart: reserve the stock, apply discounts, pay from stored value and/or a saved method"),
        description=gettext_lazy("Answers the order: `status` is `paid`, `payment_failed` (declined: `payment_error` says why; "
        "the stock is released and the items are back in the cart) or `pending_payment` (the provider has not answered "
        "yet; it is asked again with the same key; the items have left the cart)."),
        request=s.CheckoutSerializer, responses={201: s.OrderSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent
    def post(self, request):
        customer = _customer(request)
        data = s.CheckoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        method_id, method = data.validated_data["payment_method_id"], None
        if method_id is not None or not data.validated_data["use_stored_value"]:
            method = PaymentMethod.objects.filter(pk=method_id or 0, customer=customer, is_active=True).first()
            if method is None:
                raise unknown_payment_method(until_2026_12_01=(422, "invalid_payment_method"))
        digest = hashlib.sha256(request.META[HEADER].encode()).hexdigest()[:40]
        with fields_as_sent({"payment_method": "payment_method_id"}):
            order = checkout(customer=customer, payment_method=method, checkout_key=f"api:{customer.uuid}:{digest}",
                             coupon_code=data.validated_data["coupon_code"],
                             use_stored_value=data.validated_data["use_stored_value"])  # fmt: skip
        return Response(s.OrderSerializer(_order_answer(request, order)).data, status=status.HTTP_201_CREATED)


class OrderListApi(ListAPIView):
    serializer_class = s.OrderSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand": expansions(self.request, ORDER_EXPANDS)}

    def get_queryset(self):
        query = query_valid(s.OrderQuerySerializer, self.request)
        orders = orders_for(self.request, expansions(self.request, ORDER_EXPANDS))
        return orders.filter(status=query["status"]) if "status" in query else orders

    @extend_schema(summary=gettext_lazy("Orders, newest first (staff: every order of the shop; customer: their own)"),
                   parameters=[s.OrderQuerySerializer, expand_parameter(*ORDER_EXPANDS)],
                   responses={200: s.OrderSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrderDetailApi(APIView):
    @extend_schema(summary=gettext_lazy("One order, with its shipment, tracking and refunds"),
                   parameters=[expand_parameter(*ORDER_EXPANDS)], responses={200: s.OrderSerializer, **ERRORS})  # fmt: skip
    def get(self, request, uuid):
        wanted = expansions(request, ORDER_EXPANDS)
        order = get_object_or_404(orders_for(request, wanted), uuid=uuid)
        return Response(s.OrderSerializer(order, context={"expand": wanted}).data)

    @extend_schema(summary=gettext_lazy("Change an order's metadata (its lines and amounts never change)"),
                   request=s.OrderUpdateSerializer, responses={200: s.OrderSerializer, **ERRORS})  # fmt: skip
    def patch(self, request, uuid):
        order = get_object_or_404(orders_for(request), uuid=uuid)
        data = s.OrderUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_metadata_update(order=order, metadata=data.validated_data["metadata"])
        return Response(s.OrderSerializer(order).data)


class OrderTrackingApi(APIView):
    @extend_schema(summary=gettext_lazy("The order's shipment: status, carrier, tracking number and every event"),
                   responses={200: s.ShipmentSerializer, **ERRORS})  # fmt: skip
    def get(self, request, uuid):
        order = get_object_or_404(orders_for(request), uuid=uuid)
        parcel = getattr(order, "fulfilment", None)
        if parcel is None:
            raise NotFound(_("This order has no shipment."))
        return Response(s.ShipmentSerializer(parcel).data)


class OrderCancelApi(APIView):
    @extend_schema(summary=gettext_lazy("Cancel an order before its parcel leaves the warehouse; what was paid is refunded"),
                   request=None, responses={200: s.OrderSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request, uuid):
        order = get_object_or_404(orders_for(request), uuid=uuid)
        order_cancel(order=order)
        return Response(s.OrderSerializer(orders_for(request).get(pk=order.pk)).data)


def boxes_for(request):
    """Plan boxes: a customer's own; staff read every box of the shop."""
    boxes = Fulfilment.objects.filter(kind=FulfilmentKind.PLAN_BOX).select_related(
        "contract__plan_version__plan").prefetch_related(
        "lines__warehouse_sku", Prefetch("tracking", queryset=TrackingEvent.objects.order_by("at", "id")),
        Prefetch("reship_requests", queryset=ReshipRequest.objects.select_related("fulfilment", "reship")
                 .prefetch_related("photos"))).order_by("-id")  # fmt: skip
    return boxes if request.user.is_staff else boxes.filter(customer__user=request.user)


class BoxListApi(ListAPIView):
    serializer_class = s.BoxSerializer

    def get_queryset(self):
        return boxes_for(self.request)

    @extend_schema(summary=gettext_lazy("Plan boxes, newest first (customer: their own), with shipment and reship requests"),
                   responses={200: s.BoxSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BoxReshipApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary=gettext_lazy("Ask for a damaged or lost plan box to be sent again (within 30 days; the shop decides)"),
        description=gettext_lazy("Multipart: `reason`, `note`, and up to 6 `photos` (a photo is required for damage). The "
        "request is `pending` until the shop approves it (the warehouse then ships within 48 h) or refuses it "
        "with an answer in `decision_note`."),
        request={"multipart/form-data": s.ReshipInputSerializer}, responses={201: s.BoxReshipSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, uuid):
        customer = _customer(request)
        box = get_object_or_404(Fulfilment.objects.filter(kind=FulfilmentKind.PLAN_BOX, customer=customer), uuid=uuid)
        data = s.ReshipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reship = reship_request(customer=customer, parcel_uuid=box.uuid, reason=data.validated_data["reason"],
                                note=data.validated_data["note"], photos=data.validated_data["photos"])  # fmt: skip
        return Response(s.BoxReshipSerializer(reship).data, status=status.HTTP_201_CREATED)


class OrderReshipApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary=gettext_lazy("Ask for a missing or damaged item to be sent again (within 30 days; shipped within 48 h)"),
        description=gettext_lazy("Multipart: `reason`, `note`, and up to 6 `photos` (a photo is required for damage)."),
        request={"multipart/form-data": s.ReshipInputSerializer}, responses={201: s.ReshipSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, uuid):
        order = get_object_or_404(orders_for(request), uuid=uuid)
        parcel = getattr(order, "fulfilment", None)
        if parcel is None:
            raise NotFound(_("This order has no shipment."))
        data = s.ReshipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reship = reship_request(customer=order.customer, parcel_uuid=parcel.uuid, reason=data.validated_data["reason"],
                                note=data.validated_data["note"], photos=data.validated_data["photos"])  # fmt: skip
        return Response(s.ReshipSerializer(reship).data, status=status.HTTP_201_CREATED)
