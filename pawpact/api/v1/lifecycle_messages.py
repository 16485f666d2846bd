"""Messages, customer segments, renewal offers and win-back codes over the API.

Staff see every message of the shop (sent, suppressed, failed) and the segment lists;
a customer sees only their own delivered messages, marks them read, and acts on their
own renewal offers and win-back codes. Someone else's record answers 404, not 403.
"""
import uuid

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.permissions import IsShopStaff
from pawpact.api.v1.billing.views import ERRORS, IDEMPOTENCY_KEY
from pawpact.billing.models import Contract, RenewalOffer
from pawpact.billing.services import renewal
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty import selectors as segments
from pawpact.loyalty import services as winback
from pawpact.messaging import selectors
from pawpact.messaging.models import Category, Channel, Message, MessageStatus
from pawpact.messaging.services import message_mark_read

# --- Serializers ------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id", "customer_uuid", "channel", "category", "topic", "subject", "body", "status", "created_at",
            "read_at",
        ]  # fmt: skip


class SegmentCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["uuid", "name", "phone", "standing", "standing_since", "created_at"]


class RenewalOfferSerializer(serializers.ModelSerializer):
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    renewal_contract_uuid = serializers.UUIDField(source="renewal_contract.uuid", read_only=True, allow_null=True)

    class Meta:
        model = RenewalOffer
        fields = [
            "id", "contract_uuid", "options", "sent_at", "accepted_option", "accepted_at", "renewal_contract_uuid",
        ]  # fmt: skip


class RenewalAcceptInputSerializer(serializers.Serializer):
    option_key = serializers.CharField(max_length=40, allow_blank=True)


class WinBackRedeemInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=24)
    contract_uuid = serializers.UUIDField()


class WinBackOfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    discount_rate = serializers.DecimalField(max_digits=4, decimal_places=3)
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    redeemed_contract_uuid = serializers.UUIDField(source="redeemed_contract.uuid", allow_null=True)


# --- Messages ---------------------------------------------------------------------------


def _own_customer(request) -> Customer | None:
    return Customer.objects.filter(user=request.user).first()


class MessageListApi(ListAPIView):
    serializer_class = MessageSerializer

    def get_queryset(self):
        params = self.request.query_params
        channel = params.get("channel") if params.get("channel") in Channel.values else None
        if self.request.user.is_staff:
            customer = None
            if params.get("customer_uuid"):
                wanted = params["customer_uuid"]
                customer = Customer.objects.filter(uuid=wanted).first() if _is_uuid(wanted) else None
                if customer is None:
                    return Message.objects.none()
            return selectors.message_list(
                customer=customer,
                channel=channel,
                category=params.get("category") if params.get("category") in Category.values else None,
                status=params.get("status") if params.get("status") in MessageStatus.values else None,
                topic=params.get("topic") or None,
            )
        customer = _own_customer(self.request)
        if customer is None:
            return Message.objects.none()
        return selectors.message_list_for_customer(customer=customer, channel=channel)

    @extend_schema(
        summary="Messages: staff see every message of the shop, a customer their own delivered ones",
        parameters=[
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("category", str, enum=Category.values, description="staff only"),
            OpenApiParameter("status", str, enum=MessageStatus.values, description="staff only"),
            OpenApiParameter("topic", str, description="staff only"),
            OpenApiParameter("customer_uuid", str, description="staff only"),
        ],
        responses={200: MessageSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError):
        return False
    return True


class MessageReadApi(APIView):
    @extend_schema(summary="Mark one of my messages read", request=None, responses={200: MessageSerializer, **ERRORS})
    def post(self, request, message_id: int):
        customer = _own_customer(request)
        if customer is None:
            raise NotFound(_("Not found."))
        message = message_mark_read(message_id=message_id, customer=customer)
        return Response(MessageSerializer(message).data)


# --- Segments ---------------------------------------------------------------------------


class SegmentListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = SegmentCustomerSerializer

    def get_queryset(self):
        return segments.customer_segment_list(name=self.kwargs["name"])

    @extend_schema(
        summary="Customers of one segment: normal, overdue or terminated (staff)",
        responses={200: SegmentCustomerSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- Renewal offers ---------------------------------------------------------------------


def _offers_for(request):
    offers = RenewalOffer.objects.select_related("contract", "renewal_contract")
    if request.user.is_staff:
        return offers
    return offers.filter(contract__customer__user=request.user)


class RenewalOfferListApi(ListAPIView):
    serializer_class = RenewalOfferSerializer

    def get_queryset(self):
        return _offers_for(self.request).order_by("-id")

    @extend_schema(summary="Renewal offers (a customer sees their own)", responses={200: RenewalOfferSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RenewalAcceptApi(APIView):
    @extend_schema(
        summary="Renew with one of the offered rewards (the new contract is created when the current one completes)",
        request=RenewalAcceptInputSerializer,
        responses={200: RenewalOfferSerializer, **ERRORS},
    )
    def post(self, request, offer_id: int):
        offer = get_object_or_404(_offers_for(request), pk=offer_id)
        data = RenewalAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = renewal.renewal_accept(offer=offer, option_key=data.validated_data["option_key"])
        offer = _offers_for(request).get(pk=offer.pk)
        return Response(RenewalOfferSerializer(offer).data)


# --- Win-back ---------------------------------------------------------------------------


class WinBackRedeemApi(APIView):
    @extend_schema(
        summary="Use a win-back code on a new contract (half the first month, credited on the next debit)",
        parameters=[IDEMPOTENCY_KEY],
        request=WinBackRedeemInputSerializer,
        responses={200: WinBackOfferSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        data = WinBackRedeemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contracts = Contract.objects.all() if request.user.is_staff else Contract.objects.filter(customer__user=request.user)
        contract = get_object_or_404(contracts, uuid=data.validated_data["contract_uuid"])
        offer = winback.winback_offer_get(code=data.validated_data["code"])
        if not request.user.is_staff and offer.customer_id != contract.customer_id:
            raise NotFound(_("Unknown win-back code."), fields={"code": [_("Unknown code.")]})
        offer = winback.winback_redeem(offer=offer, contract=contract)
        return Response(WinBackOfferSerializer(offer).data, status=status.HTTP_200_OK)


urlpatterns = [
    path("messages", MessageListApi.as_view(), name="api_message_list"),
    path("messages/<int:message_id>/read", MessageReadApi.as_view(), name="api_message_read"),
    path("segments/<str:name>", SegmentListApi.as_view(), name="api_segment_list"),
    path("renewal-offers", RenewalOfferListApi.as_view(), name="api_renewal_offer_list"),
    path("renewal-offers/<int:offer_id>/accept", RenewalAcceptApi.as_view(), name="api_renewal_offer_accept"),
    path("winback/redeem", WinBackRedeemApi.as_view(), name="api_winback_redeem"),
]
