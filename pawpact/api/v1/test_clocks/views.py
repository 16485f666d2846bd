"""Test clocks for frontend developers (staff tokens, test mode only): create a clock, attach
test contracts (or a customer's), advance it, and the debits, reminders, retries and dunning
of those contracts happen as they would at that time (pawpact.billing.services.test_clocks)."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import IsShopStaff
from pawpact.api.v1.test_clocks import serializers as s
from pawpact.billing.models import Contract, TestClock
from pawpact.billing.services import test_clocks
from pawpact.customers.models import Customer


class TestClockListCreateApi(ListAPIView):
    __test__ = False
    permission_classes = [IsShopStaff]
    serializer_class = s.TestClockSerializer

    def get_queryset(self):
        return TestClock.objects.order_by("-id")

    @extend_schema(summary=gettext_lazy("Test clocks"), responses={200: s.TestClockSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Create a test clock (test mode only)"),
        request=s.TestClockInputSerializer, responses={201: s.TestClockSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        data = s.TestClockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clock = test_clocks.test_clock_create(**data.validated_data)
        return Response(s.TestClockSerializer(clock).data, status=status.HTTP_201_CREATED)


class TestClockDetailApi(APIView):
    __test__ = False
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("One test clock"), responses={200: s.TestClockSerializer, **ERRORS})
    def get(self, request, clock_id):
        return Response(s.TestClockSerializer(get_object_or_404(TestClock, uuid=clock_id)).data)

    @extend_schema(summary=gettext_lazy("Delete a test clock (its contracts go back to real time)"), responses={204: None, **ERRORS})
    def delete(self, request, clock_id):
        test_clocks.test_clock_delete(test_clock=get_object_or_404(TestClock, uuid=clock_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TestClockAttachApi(APIView):
    __test__ = False
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("Attach a test contract, or a customer's test contracts, to the clock"),
        request=s.TestClockAttachSerializer, responses={200: s.TestClockSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, clock_id):
        clock = get_object_or_404(TestClock, uuid=clock_id)
        data = s.TestClockAttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "contract_id" in data.validated_data:
            contract = get_object_or_404(Contract, uuid=data.validated_data["contract_id"])
            test_clocks.test_clock_attach(test_clock=clock, contract=contract)
        if "customer_id" in data.validated_data:
            customer = get_object_or_404(Customer, uuid=data.validated_data["customer_id"])
            test_clocks.test_clock_attach_customer(test_clock=clock, customer=customer)
        return Response(s.TestClockSerializer(clock).data)


class TestClockAdvanceApi(APIView):
    __test__ = False
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("Advance the clock: a number of months, to the next debit, or to an instant"),
        description=gettext_lazy("Runs, for each day passed, the billing jobs of that day at their usual times for this "
        "clock's contracts only. Answers when done (a month takes about a second)."),
        request=s.TestClockAdvanceSerializer, responses={200: s.TestClockSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, clock_id):
        clock = get_object_or_404(TestClock, uuid=clock_id)
        data = s.TestClockAdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.TestClockSerializer(test_clocks.test_clock_advance(test_clock=clock, **data.validated_data)).data)
