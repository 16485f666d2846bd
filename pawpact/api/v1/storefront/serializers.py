from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pawpact.api.expand import ExpandableMixin
from pawpact.api.fields import MetadataField, MetadataInputField, ObjectField
from pawpact.api.opaque_ids import PAYMENT_METHOD, PRODUCT, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.core.bilingual import in_reader_language
from pawpact.storefront.enums import (
    FulfilmentKind,
    FulfilmentStatus,
    OrderStatus,
    PaymentStatus,
    RefundReason,
    ReshipReason,
    ReshipStatus,
)
from pawpact.storefront.models import Order, Product, ShippingAddress
from pawpact.payments.errors import PaymentDeclined
from pawpact.payments.outcomes import decline_code, decline_reason
from pawpact.storefront.selectors import order_decline_outcome, product_is_sellable
from pawpact.storefront.services.orders import MAX_QUANTITY
from pawpact.storefront.services.refunds import CANCELLABLE
from pawpact.warehouses.enums import SkuCategory

LINE_DISPLAY_NAME = _("The product's name in the request's language (Accept-Language): the catalog's English name "
                      "for English when it has one, `name` otherwise.")  # fmt: skip


class ProductSerializer(serializers.ModelSerializer):
    object = ObjectField("product")
    id = OpaqueIdField(PRODUCT, read_only=True)
    sku = serializers.CharField(source="warehouse_sku.sku")
    name = serializers.CharField(source="warehouse_sku.name")
    name_en = serializers.CharField(source="warehouse_sku.name_en")
    display_name = serializers.SerializerMethodField(
        help_text=_("The name in the request's language (Accept-Language): `name_en` for English when the catalog "
                    "has it, `name` otherwise."),
    )  # fmt: skip
    description = serializers.SerializerMethodField(
        help_text=_("The warehouse catalog's description in the request's language (the other language when only "
                    "that one exists; empty when the catalog has none)."),
    )  # fmt: skip
    image_urls = serializers.ListField(
        source="warehouse_sku.image_urls", child=serializers.URLField(),
        help_text=_("Absolute http(s) URLs of the product's pictures, the main one first; may be empty."),
    )  # fmt: skip
    category = serializers.ChoiceField(source="warehouse_sku.category", choices=SkuCategory.choices)
    unit = serializers.CharField(
        source="warehouse_sku.unit", help_text=_("The sales unit as the warehouse catalog names it (`bag`, `piece`…).")
    )
    unit_display = serializers.CharField(
        source="warehouse_sku.shown_unit",
        help_text=_("The sales unit in the request's language (“bag” in English); a unit the catalog names otherwise "
                    "shows as the catalog has it."),
    )  # fmt: skip
    currency = serializers.SerializerMethodField(help_text=_("The currency of `price_minor` (fen for CNY)."))
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["object", "id", "sku", "name", "name_en", "display_name", "description", "image_urls", "category",
                  "unit", "unit_display", "price_minor", "currency", "in_stock"]  # fmt: skip
        read_only_fields = fields

    def get_display_name(self, product: Product) -> str:
        return in_reader_language(product.warehouse_sku.name, product.warehouse_sku.name_en)

    def get_description(self, product: Product) -> str:
        return in_reader_language(product.warehouse_sku.description, product.warehouse_sku.description_en)

    def get_currency(self, product: Product) -> str:
        return "CNY"  # shop prices are in yuan whatever the warehouse bills in

    def get_in_stock(self, product: Product) -> bool:
        return product.warehouse_sku.sellable > 0


class ProductQuerySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=SkuCategory.choices, required=False)


# --- the customer's cart, checkout, orders, tracking and reships --------------------------


class AddressSerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()

    class Meta:
        model = ShippingAddress
        fields = ["object", "name", "phone", "province", "city", "district", "address"]
        read_only_fields = fields

    def get_object(self, _address) -> str:
        return "address"


class AddressInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=80)
    phone = serializers.CharField(max_length=32)
    province = serializers.CharField(max_length=40)
    city = serializers.CharField(max_length=40)
    district = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200)


class CartLineSerializer(serializers.Serializer):
    product_id = OpaqueIdField(PRODUCT, source="product.pk", read_only=True)
    sku = serializers.CharField(source="product.warehouse_sku.sku")
    name = serializers.CharField(source="product.warehouse_sku.name")
    display_name = serializers.SerializerMethodField(help_text=LINE_DISPLAY_NAME)
    quantity = serializers.IntegerField()
    unit_price_minor = serializers.IntegerField(source="product.price_minor")
    total_minor = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField(help_text=_("False: sold out or delisted; checkout refuses the cart."))

    def get_display_name(self, line) -> str:
        sku = line.product.warehouse_sku
        return in_reader_language(sku.name, sku.name_en)

    def get_total_minor(self, line) -> int:
        return line.product.price_minor * line.quantity

    def get_in_stock(self, line) -> bool:
        return product_is_sellable(line.product)


class CartSerializer(serializers.Serializer):
    object = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()
    lines = CartLineSerializer(many=True)
    count = serializers.IntegerField(help_text=_("Items in the cart (the sum of the quantities)."))
    subtotal_minor = serializers.IntegerField(help_text=_("Before discounts; checkout applies them."))

    def get_object(self, _cart) -> str:
        return "cart"

    def get_currency(self, _cart) -> str:
        return "CNY"


class CartLineAddSerializer(InputSerializer):
    product_id = OpaqueIdField(PRODUCT, help_text=_("A product's `id`."))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1,
                                        help_text=_("Added to what the cart holds of the product already."))  # fmt: skip


class OrderUpdateSerializer(InputSerializer):
    """Only the metadata changes here: an order's lines and amounts are fixed once placed."""

    metadata = MetadataInputField()


class CartLineSetSerializer(InputSerializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CheckoutSerializer(InputSerializer):
    payment_method_id = OpaqueIdField(
        PAYMENT_METHOD, required=False, allow_null=True, default=None,
        help_text=_("One of the customer's saved methods (GET /payment-methods); may be left out when the stored "
                    "value covers the whole order."),
    )  # fmt: skip
    use_stored_value = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Pay from the customer's stored value first (as much as it covers); the rest on the method."),
    )  # fmt: skip
    coupon_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class OrderLineSerializer(ExpandableMixin, serializers.Serializer):
    expandable = {"product": "lines.product"}

    product_id = OpaqueIdField(PRODUCT, read_only=True)
    sku = serializers.CharField(source="warehouse_sku.sku")
    name = serializers.CharField(help_text=_("The product's name when the order was placed."))
    display_name = serializers.SerializerMethodField(help_text=LINE_DISPLAY_NAME)
    quantity = serializers.IntegerField()
    unit_price_minor = serializers.IntegerField()
    total_minor = serializers.IntegerField()
    product = ProductSerializer(required=False, help_text=_("With `expand[]=lines.product` only: the product now."))

    def get_display_name(self, line) -> str:
        return in_reader_language(line.name, line.warehouse_sku.name_en)


class TrackingEventSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FulfilmentStatus.choices)
    at = serializers.DateTimeField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()


class ShipmentSerializer(serializers.Serializer):
    object = serializers.SerializerMethodField()
    uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=FulfilmentKind.choices)
    status = serializers.ChoiceField(choices=FulfilmentStatus.choices)
    carrier = serializers.CharField(help_text=_("Empty until the warehouse dispatches."))
    tracking_number = serializers.CharField(help_text=_("Empty until the warehouse dispatches."))
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("Dispatch promised by (24 h; a reship 48 h)."))
    dispatched_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = TrackingEventSerializer(source="tracking.all", many=True)

    def get_object(self, _parcel) -> str:
        return "shipment"


class ReshipSerializer(serializers.Serializer):
    object = serializers.SerializerMethodField()
    uuid = serializers.UUIDField()
    order_uuid = serializers.UUIDField(source="fulfilment.order.uuid", allow_null=True)
    box_uuid = serializers.SerializerMethodField(help_text=_("The plan box this reship is for (null for an order)."))
    reason = serializers.ChoiceField(choices=ReshipReason.choices)
    note = serializers.CharField()
    status = serializers.ChoiceField(
        choices=ReshipStatus.choices,
        help_text=_("An order's reship is approved at once; a plan box's waits for the shop (pending)."),
    )  # fmt: skip
    decision_note = serializers.CharField(help_text=_("The shop's answer (why it was not accepted)."))
    decided_at = serializers.DateTimeField(allow_null=True)
    photo_count = serializers.IntegerField(source="photos.count")
    created_at = serializers.DateTimeField()
    shipment = ShipmentSerializer(source="reship")

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_box_uuid(self, request):
        return str(request.fulfilment.uuid) if request.fulfilment.kind == FulfilmentKind.PLAN_BOX else None

    def get_object(self, _request) -> str:
        return "reship"


class BoxReshipSerializer(ReshipSerializer):
    """A plan box's reship: no shipment until the shop approves it (an order's has one at once)."""

    shipment = ShipmentSerializer(source="reship", allow_null=True)


class BoxSerializer(serializers.Serializer):
    """A plan's monthly box: its shipment and any reship asked for it."""

    object = serializers.SerializerMethodField()
    uuid = serializers.UUIDField()
    contract_uuid = serializers.UUIDField(source="contract.uuid", allow_null=True)
    plan_name = serializers.CharField(source="contract.plan_version.plan.name", allow_null=True)
    plan_display_name = serializers.CharField(
        source="contract.plan_version.plan.display_name", allow_null=True,
        help_text=_("The plan's name in the request's language (Accept-Language)."),
    )  # fmt: skip
    period_number = serializers.IntegerField(allow_null=True)
    items = serializers.SerializerMethodField()
    shipment = ShipmentSerializer(source="*")
    reships = BoxReshipSerializer(source="reship_requests.all", many=True)

    def get_object(self, _box) -> str:
        return "plan_box"

    def get_items(self, box) -> list[dict]:
        return [{"sku": line.sku, "name": line.name, "display_name": in_reader_language(line.name, line.warehouse_sku.name_en),
                 "quantity": line.quantity} for line in box.lines.all()]  # fmt: skip


class ReshipInputSerializer(InputSerializer):
    reason = serializers.ChoiceField(choices=ReshipReason.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list, max_length=6,
        help_text=_("Up to 6 JPEG, PNG, WebP or HEIC photos of at most 8 MB each; required when damaged."),
    )  # fmt: skip


class RefundSerializer(serializers.Serializer):
    amount_minor = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=RefundReason.choices)
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class PaymentErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("`payment_declined`, as the error of a declined charge elsewhere."))
    decline_code = serializers.CharField(
        help_text=_("Why: `insufficient_funds`, `hard_decline`, `invalid_token` or `declined`.")
    )
    message = serializers.CharField(help_text=_("The reason in words, for the customer."))


class OrderSerializer(serializers.Serializer):
    object = serializers.SerializerMethodField()
    uuid = serializers.UUIDField()
    number = serializers.CharField()
    customer_uuid = serializers.UUIDField(source="customer.uuid")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    currency = serializers.CharField()
    subtotal_minor = serializers.IntegerField()
    discount_minor = serializers.IntegerField()
    discount_label = serializers.CharField()
    total_minor = serializers.IntegerField()
    stored_value_minor = serializers.IntegerField(
        help_text=_("Paid from the stored value; the rest on the payment rail.")
    )
    stored_value_returned_minor = serializers.IntegerField(
        help_text=_("Put back on the stored value (cancelled or refunded).")
    )
    refunded_minor = serializers.IntegerField(help_text=_("Given back in all: on the rail plus to the stored value."))
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancellable = serializers.SerializerMethodField(help_text=_("Whether POST …/cancel would be accepted now."))
    lines = OrderLineSerializer(many=True)
    shipment = serializers.SerializerMethodField()
    refunds = RefundSerializer(many=True)
    payment_error = serializers.SerializerMethodField(
        help_text=_("Why the payment was declined (`status` `payment_failed`); null otherwise.")
    )
    metadata = MetadataField()

    def get_object(self, _order) -> str:
        return "order"

    @extend_schema_field(PaymentErrorSerializer(allow_null=True))
    def get_payment_error(self, order: Order) -> dict | None:
        if order.status != OrderStatus.PAYMENT_FAILED:
            return None
        outcome = order_decline_outcome(order=order)
        message = str(_("The payment failed (%(reason)s); the order was not paid.")) % {"reason": decline_reason(outcome)}
        return {"code": PaymentDeclined.code, "decline_code": decline_code(outcome), "message": message}

    def get_cancellable(self, order: Order) -> bool:
        parcel = getattr(order, "fulfilment", None)
        return order.status == OrderStatus.PAID and (parcel is None or parcel.status in CANCELLABLE)

    @extend_schema_field(ShipmentSerializer(allow_null=True))
    def get_shipment(self, order: Order) -> dict | None:
        parcel = getattr(order, "fulfilment", None)
        return ShipmentSerializer(parcel).data if parcel is not None else None


class OrderQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
