"""Dunning over the API: the staff call queue, a new payment method for an active
contract (retried at once), deferral coupons, and a customer's standing and holds.

Staff see every record of their shop; a customer acts on their own contracts only
(someone else's answers 404). The call queue is staff-only (403 for customers).
"""
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.pagination import CursorPagination
from pawpact.api.permissions import IsShopStaff
from pawpact.api.v1.billing.views import ERRORS, IDEMPOTENCY_KEY
from pawpact.billing.enums import CallTaskStatus, ContractStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.holds import customer_holds
from pawpact.billing.models import CallTask, Contract, DebitAttempt, DebitPeriod, DeferralCoupon
from pawpact.billing.services import deferral, dunning
from pawpact.billing.services.payment_methods import payment_method_attach
from pawpact.customers.models import Customer
from pawpact.payments.enums import Rail


def _contracts_for(request):
    contracts = Contract.objects.select_related("customer", "pet", "plan_version__plan", "payment_method")
    if request.user.is_staff:
        return contracts
    return contracts.filter(customer__user=request.user)


def _contract(request, uuid) -> Contract:
    return get_object_or_404(_contracts_for(request), uuid=uuid)


# --- Serializers ------------------------------------------------------------------------------


class CallTaskSerializer(serializers.ModelSerializer):
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_phone = serializers.CharField(source="customer.phone", read_only=True)
    contract_uuid = serializers.UUIDField(source="period.contract.uuid", read_only=True, allow_null=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True, allow_null=True)
    period_due_date = serializers.DateField(source="period.due_date", read_only=True, allow_null=True)
    amount_minor = serializers.IntegerField(source="period.amount_minor", read_only=True, allow_null=True)
    currency = serializers.CharField(source="period.currency", read_only=True, allow_null=True)
    assigned_to = serializers.EmailField(source="assigned_to.email", read_only=True, allow_null=True)

    class Meta:
        model = CallTask
        fields = [
            "id", "kind", "status", "due_on", "customer_uuid", "customer_name", "customer_phone", "contract_uuid",
            "period_number", "period_due_date", "amount_minor", "currency", "outcome_note", "assigned_to",
            "created_at", "done_at",
        ]  # fmt: skip


class CallTaskOutcomeSerializer(serializers.Serializer):
    outcome_note = serializers.CharField(max_length=2000, help_text=gettext_lazy("What happened on the call or visit."))
    status = serializers.ChoiceField(
        choices=[CallTaskStatus.DONE, CallTaskStatus.CANCELLED], default=CallTaskStatus.DONE
    )


class PaymentMethodReplaceSerializer(serializers.Serializer):
    rail = serializers.ChoiceField(choices=Rail.choices)
    token = serializers.CharField(max_length=255)
    label = serializers.CharField(max_length=80, required=False, default="")


class AttemptSerializer(serializers.ModelSerializer):
    period_number = serializers.IntegerField(source="period.number", read_only=True)

    class Meta:
        model = DebitAttempt
        fields = ["period_number", "number", "status", "outcome", "decline_type", "amount_minor", "finished_at"]


class PaymentMethodReplacedSerializer(serializers.Serializer):
    contract_uuid = serializers.UUIDField(source="contract.uuid")
    payment_method = serializers.CharField(source="contract.payment_method.label")
    attempts = AttemptSerializer(many=True, help_text=gettext_lazy("The late periods retried at once."))


class DeferralCouponSerializer(serializers.ModelSerializer):
    used_on_period = serializers.IntegerField(source="used_on.number", read_only=True, allow_null=True)

    class Meta:
        model = DeferralCoupon
        fields = ["id", "reason", "issued_at", "used_on_period", "used_at"]


class DeferralCouponIssueSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)


class DeferralUseSerializer(serializers.Serializer):
    period_number = serializers.IntegerField(min_value=1)


class DeferredPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = DebitPeriod
        fields = ["number", "due_date", "original_due_date", "amount_minor", "currency", "status"]


class StandingSerializer(serializers.Serializer):
    customer_uuid = serializers.UUIDField()
    standing = serializers.CharField()
    standing_since = serializers.DateTimeField(allow_null=True)
    shipment_held = serializers.BooleanField()
    loyalty_frozen = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)


# --- Call queue (staff) -------------------------------------------------------------------------


class CallTaskPagination(CursorPagination):
    ordering = ("due_on", "id")


STATUS_FILTER = OpenApiParameter(
    "status",
    str,
    enum=[*CallTaskStatus.values, "all"],
    description="Which tasks (default: open).",
)


class CallTaskListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = CallTaskSerializer
    pagination_class = CallTaskPagination

    def get_queryset(self):
        wanted = self.request.query_params.get("status", CallTaskStatus.OPEN)
        if wanted == "all":
            return dunning.call_task_list(status=None)
        if wanted not in CallTaskStatus.values:
            wanted = CallTaskStatus.OPEN
        return dunning.call_task_list(status=wanted)

    @extend_schema(
        summary="The call queue: overdue customers to call or visit (staff)",
        parameters=[STATUS_FILTER],
        responses={200: CallTaskSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CallTaskOutcomeApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary="Record the outcome of a call or visit and close the task (staff)",
        request=CallTaskOutcomeSerializer,
        responses={200: CallTaskSerializer, **ERRORS},
    )
    def post(self, request, task_id: int):
        task = get_object_or_404(CallTask, pk=task_id)
        data = CallTaskOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = dunning.call_task_close(task=task, staff=request.user, **data.validated_data)
        return Response(CallTaskSerializer(dunning.call_task_list(status=None).get(pk=task.pk)).data)


# --- A new payment method for an active contract ---------------------------------------------------


class ContractPaymentMethodReplaceApi(APIView):
    @extend_schema(
        summary="Replace the payment method of an active contract; late periods are retried at once",
        description="Requires an `Idempotency-Key` header; a retry returns the first answer.",
        parameters=[IDEMPOTENCY_KEY],
        request=PaymentMethodReplaceSerializer,
        responses={200: PaymentMethodReplacedSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = _contract(request, uuid)
        data = PaymentMethodReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if contract.status != ContractStatus.ACTIVE:
            # Refused before the method is saved: a refused request writes nothing.
            raise IllegalTransition(
                _("Only an active contract's payment method can be replaced; this one is %(status)s.")
                % {"status": ContractStatus(contract.status).label.lower()}
            )
        method = payment_method_attach(customer=contract.customer, **data.validated_data)
        result = dunning.contract_payment_method_replace(contract=contract, payment_method=method)
        return Response(PaymentMethodReplacedSerializer(result).data)


# --- Deferral coupons ---------------------------------------------------------------------------------


class ContractDeferralCouponsApi(APIView):
    @extend_schema(
        summary="The contract's deferral coupons (used and unused)",
        responses={200: DeferralCouponSerializer(many=True), **ERRORS},
    )
    def get(self, request, uuid):
        coupons = deferral.deferral_coupon_list(contract=_contract(request, uuid))
        return Response(DeferralCouponSerializer(coupons, many=True).data)

    @extend_schema(
        summary="Give the contract a deferral coupon (staff)",
        request=DeferralCouponIssueSerializer,
        responses={201: DeferralCouponSerializer, **ERRORS},
    )
    def post(self, request, uuid):
        if not request.user.is_staff:
            self.permission_denied(request, message=_("Only staff can issue deferral coupons."))
        contract = _contract(request, uuid)
        data = DeferralCouponIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        coupon = deferral.deferral_coupon_issue(contract=contract, **data.validated_data)
        return Response(DeferralCouponSerializer(coupon).data, status=status.HTTP_201_CREATED)


class ContractDeferralUseApi(APIView):
    @extend_schema(
        summary="Use the contract's deferral coupon on a period: it and every later unpaid period move a month",
        request=DeferralUseSerializer,
        responses={200: DeferredPeriodSerializer(many=True), **ERRORS},
    )
    def post(self, request, uuid):
        contract = _contract(request, uuid)
        data = DeferralUseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deferral.deferral_use(contract=contract, period_number=data.validated_data["period_number"])
        periods = DebitPeriod.objects.filter(contract=contract).order_by("number")
        return Response(DeferredPeriodSerializer(periods, many=True).data)


# --- Standing and holds -----------------------------------------------------------------------------


class CustomerStandingApi(APIView):
    @extend_schema(
        summary="A customer's standing and what it holds (staff; a customer: their own)",
        responses={200: StandingSerializer, **ERRORS},
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
        return Response(StandingSerializer(body).data)


urlpatterns = [
    path("call-tasks", CallTaskListApi.as_view(), name="api_call_task_list"),
    path("call-tasks/<int:task_id>/outcome", CallTaskOutcomeApi.as_view(), name="api_call_task_outcome"),
    path(
        "contracts/<uuid:uuid>/payment-method/replace",
        ContractPaymentMethodReplaceApi.as_view(),
        name="api_contract_payment_method_replace",
    ),
    path(
        "contracts/<uuid:uuid>/deferral-coupons",
        ContractDeferralCouponsApi.as_view(),
        name="api_contract_deferral_coupons",
    ),
    path("contracts/<uuid:uuid>/deferrals", ContractDeferralUseApi.as_view(), name="api_contract_deferral_use"),
    path("customers/<uuid:uuid>/standing", CustomerStandingApi.as_view(), name="api_customer_standing"),
]
