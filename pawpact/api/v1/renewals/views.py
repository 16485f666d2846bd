"""Renewal offers over the API: staff see every offer of the shop, a customer sees and
accepts their own. Someone else's offer answers 404, not 403.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import RENEWAL_OFFER, id_pattern
from pawpact.api.openapi import ERRORS
from pawpact.api.v1.renewals import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.billing.models import RenewalOffer
from pawpact.billing.services import renewal


def _offers_for(request):
    offers = RenewalOffer.objects.select_related("contract", "renewal_contract")
    if request.user.is_staff:
        return offers
    return offers.filter(contract__customer__user=request.user)


class RenewalOfferListApi(ListAPIView):
    serializer_class = s.RenewalOfferSerializer

    def get_queryset(self):
        return _offers_for(self.request).order_by("-id")

    @extend_schema(summary=gettext_lazy("Renewal offers (a customer sees their own)"), responses={200: s.RenewalOfferSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RenewalOfferAcceptApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Renew with one of the offered rewards (the new contract is created when the current one completes)"),
        request=s.RenewalAcceptInputSerializer,
        parameters=[OpenApiParameter("offer_id", {"type": "string", "pattern": id_pattern(RENEWAL_OFFER)},
                                     OpenApiParameter.PATH, description=gettext_lazy("The offer's `id`."))],
        responses={200: s.RenewalOfferSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, offer_id: str):
        offer = get_object_or_404(_offers_for(request), pk=path_pk(RENEWAL_OFFER, offer_id, request) or 0)
        data = s.RenewalAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = renewal.renewal_accept(offer=offer, option_key=data.validated_data["option_key"])
        offer = _offers_for(request).get(pk=offer.pk)
        return Response(s.RenewalOfferSerializer(offer).data)
