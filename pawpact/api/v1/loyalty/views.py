"""Customer segments (staff), win-back codes, and members over the API. A customer redeems a
code only of their own, on a contract of their own, and reads only their own membership;
someone else's answers 404, not 403.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import contract_get, own_customer
from pawpact.api.errors import CustomerRequired
from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import CursorPagination
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.loyalty import serializers as s
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty import selectors as segments
from pawpact.loyalty import services as winback
from pawpact.loyalty.members import member_list, member_points, member_progress, points_expiring
from pawpact.loyalty.models import Membership


class CustomerSegmentListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.SegmentCustomerSerializer

    def get_queryset(self):
        return segments.customer_segment_list(name=self.kwargs["name"])

    @extend_schema(
        summary=gettext_lazy("Customers of one segment: normal, overdue or terminated (staff)"),
        responses={200: s.SegmentCustomerSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WinBackRedeemApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Use a win-back code on a new contract (half the first month, credited on the next debit)"),
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


def _membership_body(customer: Customer) -> dict:
    membership = Membership.objects.select_related("tier", "customer").filter(customer=customer).first()
    membership = membership or Membership(customer=customer)  # no activity yet: the entry values
    membership.progress = member_progress(customer=customer)
    membership.expiring = [{"expires_on": day, "points": points} for day, points in points_expiring(customer=customer)]
    return s.MembershipDetailSerializer(membership).data


def _customer(request) -> Customer:
    customer = own_customer(request)
    if customer is None:  # staff read a member at /members/{customer_uuid}
        raise CustomerRequired(_("Only a customer has a membership; staff read one at /members/{customer_uuid}."))
    return customer


class MyMembershipApi(APIView):
    @extend_schema(
        summary=gettext_lazy("My tier, the way to the next tier, and my points"),
        responses={200: s.MembershipDetailSerializer, **ERRORS},
    )
    def get(self, request):
        return Response(_membership_body(_customer(request)))


class MyPointsApi(ListAPIView):
    serializer_class = s.PointsEntrySerializer
    pagination_class = CursorPagination

    def get_queryset(self):
        return member_points(customer=_customer(self.request))

    @extend_schema(
        summary=gettext_lazy("My points movements, newest first"), responses={200: s.PointsEntrySerializer(many=True), **ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MemberListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.MembershipSerializer
    pagination_class = CursorPagination

    def get_queryset(self):
        query = query_valid(s.MemberQuerySerializer, self.request)
        return member_list(query=query.get("search", ""), tier_rank=query.get("tier_rank"))

    @extend_schema(summary=gettext_lazy("The shop's members (staff)"), parameters=[s.MemberQuerySerializer],
                   responses={200: s.MembershipSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MemberDetailApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("One member: tier, progress and points (staff)"), responses={200: s.MembershipDetailSerializer, **ERRORS}
    )
    def get(self, request, customer_uuid):
        return Response(_membership_body(get_object_or_404(Customer, uuid=customer_uuid)))
