"""Members over the API: the customer's own membership and points history; staff read the
shop's members. A customer only ever reads their own; another customer's answers 404."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import CursorPagination
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.loyalty import serializers as s
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty.members import member_list, member_points, member_progress, points_expiring
from pawpact.loyalty.models import Membership


def _membership_body(customer: Customer) -> dict:
    membership = Membership.objects.select_related("tier", "customer").filter(customer=customer).first()
    membership = membership or Membership(customer=customer)  # no activity yet: the entry values
    membership.progress = member_progress(customer=customer)
    membership.expiring = [{"expires_on": day, "points": points} for day, points in points_expiring(customer=customer)]
    return s.MembershipDetailSerializer(membership).data


def _customer(request) -> Customer:
    customer = own_customer(request)
    if customer is None:
        raise NotFound()
    return customer


class MyMembershipApi(APIView):
    @extend_schema(summary="My tier, the way to the next tier, and my points", responses={200: s.MembershipDetailSerializer, **ERRORS})
    def get(self, request):
        return Response(_membership_body(_customer(request)))


class MyPointsApi(ListAPIView):
    serializer_class = s.PointsEntrySerializer
    pagination_class = CursorPagination

    def get_queryset(self):
        return member_points(customer=_customer(self.request))

    @extend_schema(summary="My points movements, newest first", responses={200: s.PointsEntrySerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MemberListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.MembershipSerializer
    pagination_class = CursorPagination

    def get_queryset(self):
        query = query_valid(s.MemberQuerySerializer, self.request)
        return member_list(query=query.get("search", ""), tier_rank=query.get("tier_rank"))

    @extend_schema(summary="The shop's members (staff)", parameters=[s.MemberQuerySerializer],
                   responses={200: s.MembershipSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MemberDetailApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary="One member: tier, progress and points (staff)", responses={200: s.MembershipDetailSerializer, **ERRORS})
    def get(self, request, customer_uuid):
        return Response(_membership_body(get_object_or_404(Customer, uuid=customer_uuid)))
