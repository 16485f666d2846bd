"""Customer segments (staff) and win-back codes over the API. A customer redeems a code
only of their own, on a contract of their own; someone else's answers 404, not 403.
"""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import contract_get
from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS, IDEMPOTENCY_KEY
from pawpact.api.permissions import IsShopStaff
from pawpact.api.v1.loyalty import serializers as s
from pawpact.core.errors import NotFound
from pawpact.loyalty import selectors as segments
from pawpact.loyalty import services as winback


class CustomerSegmentListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.SegmentCustomerSerializer

    def get_queryset(self):
        return segments.customer_segment_list(name=self.kwargs["name"])

    @extend_schema(
        summary="Customers of one segment: normal, overdue or terminated (staff)",
        responses={200: s.SegmentCustomerSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WinBackRedeemApi(APIView):
    @extend_schema(
        summary="Use a win-back code on a new contract (half the first month, credited on the next debit)",
        parameters=[IDEMPOTENCY_KEY],
        request=s.WinBackRedeemInputSerializer,
        responses={200: s.WinBackOfferSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        data = s.WinBackRedeemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = contract_get(request, data.validated_data["contract_uuid"])
        offer = winback.winback_offer_get(code=data.validated_data["code"])
        if not request.user.is_staff and offer.customer_id != contract.customer_id:
            raise NotFound(_("Unknown win-back code."), fields={"code": [_("Unknown code.")]})
        offer = winback.winback_redeem(offer=offer, contract=contract)
        return Response(s.WinBackOfferSerializer(offer).data, status=status.HTTP_200_OK)
