"""Messages over the API. Staff see every message of the shop (sent, suppressed, failed);
a customer sees only their own delivered messages and marks them read. Someone else's
message answers 404, not 403.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import MESSAGE, id_pattern
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.messaging import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.billing.services.remote_signing import SIGNING_CODE_TOPIC
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.messaging import selectors
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_mark_read
from pawpact.messaging.sms import sandbox_inbox
from pawpact.tenants.modes import current_livemode, sandbox_refuse_in_live


class MessageListApi(ListAPIView):
    serializer_class = s.MessageSerializer

    def get_queryset(self):
        query = query_valid(s.MessageQuerySerializer, self.request)
        if self.request.user.is_staff:
            customer = None
            if "customer_uuid" in query:
                customer = Customer.objects.filter(uuid=query["customer_uuid"]).first()
                if customer is None:
                    return Message.objects.none()
            # A customer's one-time signing code is theirs alone: staff who read it could sign for them.
            return selectors.message_list(
                customer=customer,
                channel=query.get("channel"),
                category=query.get("category"),
                status=query.get("status"),
                topic=query.get("topic"),
            ).exclude(topic=SIGNING_CODE_TOPIC)
        customer = own_customer(self.request)
        if customer is None:
            return Message.objects.none()
        return selectors.message_list_for_customer(customer=customer, channel=query.get("channel"))

    @extend_schema(
        summary=gettext_lazy("Messages: staff see every message of the shop, a customer their own delivered ones"),
        parameters=[s.MessageQuerySerializer],
        responses={200: s.MessageSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MessageMarkReadApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Mark one of my messages read"),
        request=None,
        parameters=[OpenApiParameter("message_id", {"type": "string", "pattern": id_pattern(MESSAGE)},
                                     OpenApiParameter.PATH, description=gettext_lazy("The message's `id`."))],
        responses={200: s.MessageSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, message_id: str):
        customer = own_customer(request)
        if customer is None:
            raise NotFound(_("Not found."))
        message = message_mark_read(message_id=path_pk(MESSAGE, message_id, request) or 0, customer=customer)
        return Response(s.MessageSerializer(message).data)


class SandboxSmsListApi(APIView):
    """Test mode only: the texts the sandbox SMS provider "sent" to a number of this shop,
    newest first (at most 20, kept a day). A test number has no handset: this is where a
    frontend developer reads the registration code the sandbox sent."""

    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("Texts the sandbox sent to a number (test mode, staff)"),
        parameters=[s.SandboxSmsQuerySerializer],
        responses={200: one_page_of(s.SandboxSmsSerializer), **ERRORS},
    )
    def get(self, request):
        query = query_valid(s.SandboxSmsQuerySerializer, request)
        sandbox_refuse_in_live(provider=_("The sandbox SMS provider"), livemode=current_livemode())
        return one_page(s.SandboxSmsSerializer(sandbox_inbox(phone=query["phone"]), many=True).data)
