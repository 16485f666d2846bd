"""Dunning over the API: the staff call queue, a new payment method for an active
contract (retried at once), deferral coupons, and a customer's standing and holds.

Staff see every record of their shop; a customer acts on their own contracts only
(someone else's answers 404). The call queue is staff-only (403 for customers).
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import contract_get
from pawpact.api.errors import fields_as_sent
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import CALL_TASK, id_parameter
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import CallTaskPagination, one_page, one_page_of
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.dunning import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.holds import customer_holds
from pawpact.billing.models import CallTask, DebitPeriod
from pawpact.billing.services import deferral, dunning, escalation
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.models import Customer


class CallTaskListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.CallTaskSerializer
    pagination_class = CallTaskPagination

    def get_queryset(self):
        wanted = query_valid(s.CallTaskQuerySerializer, self.request)["status"]
        return escalation.call_task_list(status=None if wanted == "all" else wanted)

    @extend_schema(
        summary=gettext_lazy("The call queue: overdue customers to call or visit (staff)"),
        parameters=[s.CallTaskQuerySerializer],
        responses={200: s.CallTaskSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(parameters=[id_parameter("task_id", CALL_TASK, "call task")])
class CallTaskCloseApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("Record the outcome of a call or visit and close the task (staff)"),
        request=s.CallTaskOutcomeSerializer,
        responses={200: s.CallTaskSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, task_id: str):
        task = get_object_or_404(CallTask, pk=path_pk(CALL_TASK, task_id, request) or 0)
        data = s.CallTaskOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = escalation.call_task_close(task=task, staff=request.user, **data.validated_data)
        return Response(s.CallTaskSerializer(escalation.call_task_list(status=None).get(pk=task.pk)).data)


class ContractPaymentMethodReplaceApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Replace the payment method of an active contract; late periods are retried at once"),
        description=gettext_lazy("Requires an `Idempotency-Key` header; a retry returns the first answer."),
        request=s.PaymentMethodReplaceSerializer,
        responses={200: s.PaymentMethodReplacedSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = contract_get(request, uuid)
        data = s.PaymentMethodReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if contract.status != ContractStatus.ACTIVE:
            # Refused before the method is saved: a refused request writes nothing.
            raise IllegalTransition(
                _("Only an active contract's payment method can be replaced; this one is %(status)s.")
                % {"status": ContractStatus(contract.status).label.lower()}
            )
        with fields_as_sent({"payment_method": "token"}):
            method = payment_method_attach(customer=contract.customer, **data.validated_data)
            result = dunning.contract_payment_method_replace(contract=contract, payment_method=method)
        return Response(s.PaymentMethodReplacedSerializer(result).data)


class DeferralCouponListIssueApi(APIView):
    @extend_schema(
        summary=gettext_lazy("The contract's deferral coupons (used and unused)"),
        responses={200: one_page_of(s.DeferralCouponSerializer), **ERRORS},
    )
    def get(self, request, uuid):
        coupons = deferral.deferral_coupon_list(contract=contract_get(request, uuid))
        return one_page(s.DeferralCouponSerializer(coupons, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Give the contract a deferral coupon (staff)"),
        request=s.DeferralCouponIssueSerializer,
        responses={201: s.DeferralCouponSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        if not request.user.is_staff:
            self.permission_denied(request, message=_("Only staff can issue deferral coupons."))
        contract = contract_get(request, uuid)
        data = s.DeferralCouponIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        coupon = deferral.deferral_coupon_issue(contract=contract, **data.validated_data)
        return Response(s.DeferralCouponSerializer(coupon).data, status=status.HTTP_201_CREATED)


class ContractDeferralUseApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Use the contract's deferral coupon on a period: it and every later unpaid period move a month"),
        request=s.DeferralUseSerializer,
        responses={200: one_page_of(s.DeferredPeriodSerializer), **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        contract = contract_get(request, uuid)
        data = s.DeferralUseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deferral.deferral_use(contract=contract, period_number=data.validated_data["period_number"])
        periods = DebitPeriod.objects.filter(contract=contract).order_by("number")
        return one_page(s.DeferredPeriodSerializer(periods, many=True).data)


class CustomerStandingDetailApi(APIView):
    @extend_schema(
        summary=gettext_lazy("A customer's standing and what it holds (staff; a customer: their own)"),
        responses={200: s.StandingSerializer, **ERRORS},
    )
    def get(self, request, uuid):
        customers = Customer.objects.all() if request.user.is_staff else Customer.objects.filter(user=request.user)
        customer = get_object_or_404(customers, uuid=uuid)
        holds = customer_holds(customer=customer)
        body = {
            "customer_uuid": customer.uuid,
            "standing": customer.standing,
            "standing_since": customer.standing_since,
            "shipment_held": holds.shipment_held,
            "loyalty_frozen": holds.loyalty_frozen,
            "reason": holds.reason,
            "message": holds.message,
        }
        return Response(s.StandingSerializer(body).data)
