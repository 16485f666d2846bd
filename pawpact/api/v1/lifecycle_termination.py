"""Ending a contract over the API: early termination (quote, then execute), pet death or
loss (with evidence), cooling-off cancellation, and the termination record.

Customers act on their own contracts only, staff on every contract of the shop; someone
else's contract or quote answers 404. Every POST that moves money takes an
`Idempotency-Key` header. Pet-loss evidence is downloadable by staff only, through an
authenticated view: it is never served from a public media URL.
"""
import os

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS, IDEMPOTENCY_KEY
from pawpact.api.permissions import IsShopStaff
from pawpact.billing.models import Contract, Termination, TerminationQuote
from pawpact.billing.services import termination as service
from pawpact.core.errors import NotFound


def _contracts_for(request):
    contracts = Contract.objects.select_related("customer", "plan_version__plan", "payment_method")
    if request.user.is_staff:
        return contracts
    return contracts.filter(customer__user=request.user)


def _contract(request, uuid) -> Contract:
    return get_object_or_404(_contracts_for(request), uuid=uuid)


# --- Serializers ------------------------------------------------------------------------


class TerminationQuoteSerializer(serializers.ModelSerializer):
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    currency = serializers.CharField(source="contract.currency", read_only=True)
    remaining_periods = serializers.SerializerMethodField()
    monthly_amount_minor = serializers.IntegerField(source="contract.monthly_amount_minor", read_only=True)

    class Meta:
        model = TerminationQuote
        fields = [
            "id", "contract_uuid", "remaining_periods", "monthly_amount_minor", "remaining_minor", "penalty_rate",
            "penalty_minor", "deposit_refund_minor", "currency", "created_at", "expires_at",
        ]  # fmt: skip

    def get_remaining_periods(self, quote: TerminationQuote) -> int:
        monthly = quote.contract.monthly_amount_minor
        return quote.remaining_minor // monthly if monthly else 0


class TerminationSerializer(serializers.ModelSerializer):
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    contract_status = serializers.CharField(source="contract.status", read_only=True)
    currency = serializers.CharField(source="contract.currency", read_only=True)
    quote_id = serializers.IntegerField(read_only=True, allow_null=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Termination
        fields = [
            "contract_uuid", "contract_status", "kind", "quote_id", "remaining_minor", "penalty_minor",
            "refund_minor", "deposit_refund_minor", "currency", "evidence_note", "has_evidence", "executed_at",
        ]  # fmt: skip

    def get_has_evidence(self, termination: Termination) -> bool:
        return bool(termination.evidence)


class PetLossInputSerializer(serializers.Serializer):
    evidence = serializers.FileField(
        required=False, allow_empty_file=True, help_text=gettext_lazy("A vet's certificate, a photo or a PDF.")
    )
    evidence_note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, default="")


# --- Views ------------------------------------------------------------------------------


class ContractTerminationQuoteApi(APIView):
    @extend_schema(
        summary="What ending the contract early costs now (valid 24 hours)",
        description="Remaining amount (unpaid periods × monthly amount), the penalty "
        "(the plan's rate, at most 10%, × the remaining amount) and the deposit refund.",
        request=None,
        responses={201: TerminationQuoteSerializer, **ERRORS},
    )
    def post(self, request, uuid):
        quote = service.termination_quote(contract=_contract(request, uuid))
        return Response(TerminationQuoteSerializer(quote).data, status=status.HTTP_201_CREATED)


class TerminationQuoteExecuteApi(APIView):
    @extend_schema(
        summary="End the contract early as quoted: the penalty is charged, the deposit refunded",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: TerminationSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, quote_id: int):
        quote = get_object_or_404(
            TerminationQuote.objects.select_related("contract"),
            pk=quote_id,
            contract__in=_contracts_for(request),
        )
        termination = service.termination_execute(quote=quote, requested_by=request.user)
        return Response(TerminationSerializer(termination).data)


class ContractPetLossApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Pet death or loss: end the contract without penalty (evidence required)",
        description="Multipart: `evidence` (a file) and/or `evidence_note` (at least 10 characters).",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": PetLossInputSerializer},
        responses={200: TerminationSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = _contract(request, uuid)
        data = PetLossInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        termination = service.contract_terminate_pet_loss(
            contract=contract,
            evidence=data.validated_data.get("evidence"),
            evidence_note=data.validated_data.get("evidence_note", ""),
            requested_by=request.user,
        )
        return Response(TerminationSerializer(termination).data)


class ContractCoolingOffCancelApi(APIView):
    @extend_schema(
        summary="Cancel within the cooling-off period: everything collected is refunded",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: TerminationSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        termination = service.contract_cancel_cooling_off(contract=_contract(request, uuid), requested_by=request.user)
        return Response(TerminationSerializer(termination).data)


def _termination(request, uuid) -> Termination:
    contract = _contract(request, uuid)
    termination = Termination.objects.select_related("contract").filter(contract=contract).first()
    if termination is None:
        raise NotFound(_("This contract has not ended."), code="not_terminated")
    return termination


class ContractTerminationApi(APIView):
    @extend_schema(summary="How and when the contract ended, with every amount", responses={200: TerminationSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(TerminationSerializer(_termination(request, uuid)).data)


class ContractTerminationEvidenceApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary="Download the pet-loss evidence (staff)",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), **ERRORS},
    )
    def get(self, request, uuid):
        termination = _termination(request, uuid)
        if not termination.evidence:
            raise NotFound(_("No evidence file was uploaded for this termination."), code="no_evidence")
        handle = termination.evidence.open("rb")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"evidence-{termination.contract.uuid}{os.path.splitext(termination.evidence.name)[1]}",
        )


urlpatterns = [
    path(
        "contracts/<uuid:uuid>/termination-quote",
        ContractTerminationQuoteApi.as_view(),
        name="api_contract_termination_quote",
    ),
    path(
        "termination-quotes/<int:quote_id>/execute",
        TerminationQuoteExecuteApi.as_view(),
        name="api_termination_quote_execute",
    ),
    path("contracts/<uuid:uuid>/pet-loss", ContractPetLossApi.as_view(), name="api_contract_pet_loss"),
    path(
        "contracts/<uuid:uuid>/cooling-off-cancel",
        ContractCoolingOffCancelApi.as_view(),
        name="api_contract_cooling_off_cancel",
    ),
    path("contracts/<uuid:uuid>/termination", ContractTerminationApi.as_view(), name="api_contract_termination"),
    path(
        "contracts/<uuid:uuid>/termination/evidence",
        ContractTerminationEvidenceApi.as_view(),
        name="api_contract_termination_evidence",
    ),
]
