"""Messages over the API. Staff see every message of the shop (sent, suppressed, failed);
a customer sees only their own delivered messages and marks them read. Someone else's
message answers 404, not 403.
"""
import uuid

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.openapi import ERRORS
from pawpact.api.v1.messaging import serializers as s
from pawpact.billing.services.remote_signing import SIGNING_CODE_TOPIC
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.messaging import selectors
from pawpact.messaging.models import Category, Channel, Message, MessageStatus
from pawpact.messaging.services import message_mark_read


class MessageListApi(ListAPIView):
    serializer_class = s.MessageSerializer

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
            # A customer's one-time signing code is theirs alone: staff who read it could sign for them.
            return selectors.message_list(
                customer=customer,
                channel=channel,
                category=params.get("category") if params.get("category") in Category.values else None,
                status=params.get("status") if params.get("status") in MessageStatus.values else None,
                topic=params.get("topic") or None,
            ).exclude(topic=SIGNING_CODE_TOPIC)
        customer = own_customer(self.request)
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
        responses={200: s.MessageSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError):
        return False
    return True


class MessageMarkReadApi(APIView):
    @extend_schema(summary="Mark one of my messages read", request=None, responses={200: s.MessageSerializer, **ERRORS})
    def post(self, request, message_id: int):
        customer = own_customer(request)
        if customer is None:
            raise NotFound(_("Not found."))
        message = message_mark_read(message_id=message_id, customer=customer)
        return Response(s.MessageSerializer(message).data)
