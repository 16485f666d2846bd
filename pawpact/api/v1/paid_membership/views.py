"""Paid membership over the API: the shop's plans (staff with the member-rules role create
and change them), and a customer's own membership: status, joining through a saved payment
method (once per Idempotency-Key), cancelling at the period's end. A staff token on the
customer's operations answers 422 `customer_required`."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from pawpact.api.errors import fields_as_sent
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import PAID_PLAN, id_parameter
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import staff_may
from pawpact.api.shared.views import LoyaltyApi, LoyaltyListApi
from pawpact.api.v1.paid_membership import serializers as s
from pawpact.api.version_shapes import path_pk
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


class MembershipBaseApi(LoyaltyApi):
    customer_required_message = gettext_lazy("Only a customer has a membership.")


class PaidPlanListCreateApi(LoyaltyListApi):
    serializer_class = s.PaidPlanSerializer
    list_summary = gettext_lazy("Membership plans on sale (staff: every plan)")

    def get_permissions(self):
        return [staff_may("member_rules")()] if self.request.method == "POST" else super().get_permissions()

    def get_queryset(self):
        plans = PaidPlan.objects.order_by("-active", "price_minor", "id")
        return plans if self.request.user.is_staff else plans.filter(active=True)

    @extend_schema(summary=gettext_lazy("Add a membership plan (owner)"), request=s.PaidPlanInputSerializer,
                   responses={201: s.PaidPlanSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        plan = paid_plan_save(**self.valid(s.PaidPlanInputSerializer))
        return self.created(s.PaidPlanSerializer(plan).data)


@extend_schema(parameters=[id_parameter("plan_id", PAID_PLAN, "membership plan")])
class PaidPlanDetailApi(MembershipBaseApi):
    permission_classes = [staff_may("member_rules")]

    @extend_schema(summary=gettext_lazy("Change a membership plan or take it off sale (owner)"), request=s.PaidPlanPatchSerializer,
                   responses={200: s.PaidPlanSerializer, **ERRORS})  # fmt: skip
    def patch(self, request, plan_id: str):
        plan = get_object_or_404(PaidPlan, pk=path_pk(PAID_PLAN, plan_id, request) or 0)
        data = self.valid(s.PaidPlanInputSerializer, partial=True)
        current = {name: getattr(plan, name) for name in s.PaidPlanInputSerializer().fields}
        plan = paid_plan_save(plan=plan, **{**current, **data})
        return Response(s.PaidPlanSerializer(plan).data)


class MembershipApi(MembershipBaseApi):
    @extend_schema(summary=gettext_lazy("My paid membership in force (or null) and whether a free trial is open to me"),
                   responses={200: s.MembershipStatusSerializer, **ERRORS})  # fmt: skip
    def get(self, request):
        customer = self.customer()
        return Response(s.MembershipStatusSerializer({
            "membership": membership_live(customer=customer), "trial_available": trial_available(customer=customer),
        }).data)  # fmt: skip

    @extend_schema(summary=gettext_lazy("Join a membership plan: the free trial if open, else the first period charged now"),
                   request=s.JoinInputSerializer, responses={201: s.PaidMembershipSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        customer = self.customer()
        data = self.valid(s.JoinInputSerializer)
        method = self.payment_method(customer, data["payment_method_id"])
        plan = PaidPlan.objects.filter(pk=data["plan_id"], active=True).first()
        if plan is None:
            raise NotFound(_("Unknown membership plan."), fields={"plan_id": [_("Not on sale.")]})
        with fields_as_sent({"payment_method": "payment_method_id"}):
            membership = paid_membership_join(
                customer=customer, plan=plan, payment_method=method, request_key=self.request_key()
            )
        return self.created(s.PaidMembershipSerializer(membership).data)


class MembershipCancelApi(MembershipBaseApi):
    @extend_schema(summary=gettext_lazy("Stop renewing: the membership stays until its period's end; nothing is refunded"),
                   request=None, responses={200: s.PaidMembershipSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        membership = membership_live(customer=self.customer())
        if membership is None:
            raise NotFound(_("You have no membership in force."))
        return Response(s.PaidMembershipSerializer(paid_membership_cancel(membership=membership)).data)


class MembershipMethodApi(MembershipBaseApi):
    @extend_schema(summary=gettext_lazy("Change the payment method my membership renews with; a renewal waiting for its retry is "
                           "charged to the new method at once"),
                   request=s.MethodInputSerializer, responses={200: s.PaidMembershipSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request, uuid: str):
        customer = self.customer()
        membership = membership_of(customer=customer, membership_uuid=uuid)
        method = self.payment_method(customer, self.valid(s.MethodInputSerializer)["payment_method_id"])
        with fields_as_sent({"payment_method": "payment_method_id"}):
            changed = paid_membership_method_change(membership=membership, payment_method=method)
        return Response(s.PaidMembershipSerializer(changed).data)
