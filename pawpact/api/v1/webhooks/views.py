"""Outbound webhooks for a shop's developers (staff only): endpoints with their signed
deliveries, the delivery log and a manual resend. An endpoint belongs to the shop's
current mode and receives only that mode's events (pawpact.outbox.webhooks)."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.webhooks import serializers as s
from pawpact.core.events import CATALOGUE
from pawpact.outbox.models import WebhookDelivery, WebhookEndpoint
from pawpact.outbox.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)


class EventTypeListApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Event types a webhook endpoint can subscribe to"), responses={200: one_page_of(s.EventTypeSerializer), **ERRORS})
    def get(self, request):
        types = [{"type": kind, "description": d.description, "fields": list(d.fields)} for kind, d in sorted(CATALOGUE.items())]
        return one_page(s.EventTypeSerializer(types, many=True).data)


class WebhookEndpointListCreateApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.WebhookEndpointSerializer

    def get_queryset(self):
        return WebhookEndpoint.objects.order_by("-id")

    @extend_schema(summary=gettext_lazy("Webhook endpoints"), responses={200: s.WebhookEndpointSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Add a webhook endpoint (its signing secret is answered once)"),
        request=s.WebhookEndpointInputSerializer, responses={201: s.WebhookEndpointCreatedSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        data = s.WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(**data.validated_data)
        endpoint.secret = secret
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("One webhook endpoint"), responses={200: s.WebhookEndpointSerializer, **ERRORS})
    def get(self, request, endpoint_id):
        return Response(s.WebhookEndpointSerializer(get_object_or_404(WebhookEndpoint, uuid=endpoint_id)).data)

    @extend_schema(summary=gettext_lazy("Change a webhook endpoint"), request=s.WebhookEndpointPatchSerializer, responses={200: s.WebhookEndpointSerializer, **ERRORS})
    def patch(self, request, endpoint_id):
        endpoint = get_object_or_404(WebhookEndpoint, uuid=endpoint_id)
        data = s.WebhookEndpointPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.WebhookEndpointSerializer(webhook_endpoint_update(endpoint=endpoint, **data.validated_data)).data)

    @extend_schema(summary=gettext_lazy("Remove a webhook endpoint and its delivery log"), responses={204: None, **ERRORS})
    def delete(self, request, endpoint_id):
        webhook_endpoint_delete(endpoint=get_object_or_404(WebhookEndpoint, uuid=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(ListAPIView):
    """An endpoint's deliveries, newest first: status, attempts, the last answer."""

    permission_classes = [IsShopStaff]
    serializer_class = s.WebhookDeliverySerializer

    def get_queryset(self):
        query = query_valid(s.WebhookDeliveryQuerySerializer, self.request)
        endpoint = get_object_or_404(WebhookEndpoint, uuid=self.kwargs["endpoint_id"])
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
        return deliveries.filter(status=query["status"]) if "status" in query else deliveries

    @extend_schema(parameters=[s.WebhookDeliveryQuerySerializer], responses={200: s.WebhookDeliverySerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WebhookDeliveryResendApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Send a delivery again now"), request=None, responses={200: s.WebhookDeliverySerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, endpoint_id, delivery_id):
        delivery = get_object_or_404(WebhookDelivery, endpoint__uuid=endpoint_id, uuid=delivery_id)
        return Response(s.WebhookDeliverySerializer(webhook_delivery_resend(delivery=delivery)).data)
