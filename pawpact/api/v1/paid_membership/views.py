"""Paid membership over the API: the shop's plans (staff with the member-rules role create
and change them), and a customer's own membership: status, joining through a saved payment
method (once per Idempotency-Key), cancelling at the period's end. A staff token on the
customer's operations answers 422 `customer_required`."""
import hashlib

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.errors import CustomerRequired
from pawpact.api.idempotency import HEADER, idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import staff_may
from pawpact.api.v1.paid_membership import serializers as s
from pawpact.billing.models import PaymentMethod
from pawpact.core.errors import NotFound
from pawpact.loyalty.paid_membership import (
    membership_live,
    paid_membership_join,
    paid_plan_save,
    trial_available,
)  # fmt: skip
from pawpact.loyalty.paid_methods import membership_of, paid_membership_method_change
from pawpact.loyalty.paid_models import PaidPlan
from pawpact.loyalty.paid_refunds import paid_membership_cancel


def _customer(request):
    customer = own_customer(request)
    if customer is None:
        raise CustomerRequired(_("Only a customer has a membership."))
    return customer


class PaidPlanListCreateApi(ListAPIView):
    serializer_class = s.PaidPlanSerializer

    def get_permissions(self):
        return [staff_may("member_rules")()] if self.request.method == "POST" else super().get_permissions()

    def get_queryset(self):
        plans = PaidPlan.objects.order_by("-active", "price_minor", "id")
        return plans if self.request.user.is_staff else plans.filter(active=True)

    @extend_schema(summary="Membership plans on sale (staff: every plan)", responses={200: s.PaidPlanSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Add a membership plan (owner)", request=s.PaidPlanInputSerializer,
                   responses={201: s.PaidPlanSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        data = s.PaidPlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = paid_plan_save(**data.validated_data)
        return Response(s.PaidPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PaidPlanDetailApi(APIView):
    permission_classes = [staff_may("member_rules")]

    @extend_schema(summary="Change a membership plan or take it off sale (owner)", request=s.PaidPlanPatchSerializer,
                   responses={200: s.PaidPlanSerializer, **ERRORS})  # fmt: skip
    def patch(self, request, pk: int):
        plan = get_object_or_404(PaidPlan, pk=pk)
        data = s.PaidPlanInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        current = {name: getattr(plan, name) for name in s.PaidPlanInputSerializer().fields}
        plan = paid_plan_save(plan=plan, **{**current, **data.validated_data})
        return Response(s.PaidPlanSerializer(plan).data)


class MembershipApi(APIView):
    @extend_schema(summary="My paid membership in force (or null) and whether a free trial is open to me",
                   responses={200: s.MembershipStatusSerializer, **ERRORS})  # fmt: skip
    def get(self, request):
        customer = _customer(request)
        return Response(s.MembershipStatusSerializer({
            "membership": membership_live(customer=customer), "trial_available": trial_available(customer=customer),
        }).data)  # fmt: skip

    @extend_schema(summary="Join a membership plan: the free trial if open, else the first period charged now",
                   request=s.JoinInputSerializer, responses={201: s.PaidMembershipSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        customer = _customer(request)
        data = s.JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        method = PaymentMethod.objects.filter(pk=data.validated_data["payment_method_id"], customer=customer,
                                              is_active=True).first()  # fmt: skip
        if method is None:
            raise NotFound(_("Unknown payment method."), fields={"payment_method_id": [_("Not one of yours.")]})
        plan = PaidPlan.objects.filter(pk=data.validated_data["plan_id"], active=True).first()
        if plan is None:
            raise NotFound(_("Unknown membership plan."), fields={"plan_id": [_("Not on sale.")]})
        membership = paid_membership_join(customer=customer, plan=plan, payment_method=method,
                                          request_key=hashlib.sha256(request.META[HEADER].encode()).hexdigest()[:64])  # fmt: skip
        return Response(s.PaidMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipCancelApi(APIView):
    @extend_schema(summary="Stop renewing: the membership stays until its period's end; nothing is refunded",
                   request=None, responses={200: s.PaidMembershipSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        customer = _customer(request)
        membership = membership_live(customer=customer)
        if membership is None:
            raise NotFound(_("You have no membership in force."))
        return Response(s.PaidMembershipSerializer(paid_membership_cancel(membership=membership)).data)


class MembershipMethodApi(APIView):
    @extend_schema(summary="Change the payment method my membership renews with; a renewal waiting for its retry is "
                           "charged to the new method at once",
                   request=s.MethodInputSerializer, responses={200: s.PaidMembershipSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request, uuid: str):
        customer = _customer(request)
        membership = membership_of(customer=customer, membership_uuid=uuid)
        data = s.MethodInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        method = PaymentMethod.objects.filter(pk=data.validated_data["payment_method_id"], customer=customer,
                                              is_active=True).first()  # fmt: skip
        if method is None:
            raise NotFound(_("Unknown payment method."), fields={"payment_method_id": [_("Not one of yours.")]})
        changed = paid_membership_method_change(membership=membership, payment_method=method)
        return Response(s.PaidMembershipSerializer(changed).data)
