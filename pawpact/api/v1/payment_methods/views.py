"""Saved payment methods: a customer lists and removes their own (someone else's answers
404), staff those of every customer. Attaching one happens on a contract
(`/contracts/{uuid}/payment-method`); a method a signed or active contract debits is not
removed (409 `payment_method_in_use`)."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.opaque_ids import PAYMENT_METHOD, id_pattern
from pawpact.api.openapi import ERRORS
from pawpact.api.query import query_valid
from pawpact.api.v1.payment_methods import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.billing.models import PaymentMethod
from pawpact.billing.services.payment_methods import payment_method_detach, payment_method_metadata_update


def _methods_for(request):
    methods = PaymentMethod.objects.select_related("customer").filter(is_active=True)
    return methods if request.user.is_staff else methods.filter(customer__user=request.user)


class PaymentMethodListApi(ListAPIView):
    serializer_class = s.PaymentMethodSerializer

    def get_queryset(self):
        query = query_valid(s.PaymentMethodQuerySerializer, self.request)
        methods = _methods_for(self.request)
        if "customer_uuid" in query:
            methods = methods.filter(customer__uuid=query["customer_uuid"])
        return methods

    @extend_schema(
        summary=gettext_lazy("Saved payment methods (staff: every customer's; customer: their own)"),
        parameters=[s.PaymentMethodQuerySerializer],
        responses={200: s.PaymentMethodSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _method_get(request, method_id: str) -> PaymentMethod:
    return get_object_or_404(_methods_for(request), pk=path_pk(PAYMENT_METHOD, method_id, request) or 0)


METHOD_ID = OpenApiParameter(
    "method_id", {"type": "string", "pattern": id_pattern(PAYMENT_METHOD)}, OpenApiParameter.PATH,
    description=gettext_lazy("The method's `id` (clients of 2026-12-01 send its number)."),
)  # fmt: skip


@extend_schema(parameters=[METHOD_ID])
class PaymentMethodDetailDetachApi(APIView):
    @extend_schema(summary=gettext_lazy("One saved payment method"), responses={200: s.PaymentMethodSerializer, **ERRORS})
    def get(self, request, method_id: str):
        return Response(s.PaymentMethodSerializer(_method_get(request, method_id)).data)

    @extend_schema(
        summary=gettext_lazy("Change a saved payment method's metadata"),
        request=s.PaymentMethodUpdateSerializer,
        responses={200: s.PaymentMethodSerializer, **ERRORS},
    )
    def patch(self, request, method_id: str):
        method = _method_get(request, method_id)
        data = s.PaymentMethodUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        method = payment_method_metadata_update(payment_method=method, metadata=data.validated_data["metadata"])
        return Response(s.PaymentMethodSerializer(method).data)

    @extend_schema(
        summary=gettext_lazy("Remove a saved payment method (not while a contract debits it)"),
        responses={204: None, **ERRORS},
    )
    def delete(self, request, method_id: str):
        payment_method_detach(payment_method=_method_get(request, method_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
