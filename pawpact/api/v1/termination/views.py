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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import contract_get, contracts_for
from pawpact.api.errors import NO_PAYMENT_METHOD_FIELD, NoEvidence, NotTerminated, fields_as_sent
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import id_pattern
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import IsShopStaff
from pawpact.api.renderers import DocumentDownloadMixin, OctetStreamRenderer
from pawpact.api.v1.termination import serializers as s
from pawpact.api.version_shapes import quote_pk
from pawpact.api.versioning import answered_version
from pawpact.billing.models import Termination, TerminationQuote
from pawpact.billing.services import termination as service


class TerminationQuoteCreateApi(APIView):
    @extend_schema(
        summary=gettext_lazy("What ending the contract costs now (valid 24 hours)"),
        description=gettext_lazy("Inside the cooling-off period (`kind` cooling_off, until `cooling_off_until`) the quote is "
        "the free cancellation: no penalty, every paid period (`refund_minor`) and the deposit refunded; it "
        "expires when the period ends. After it (`kind` early): the remaining amount (unpaid periods × monthly "
        "amount), the penalty (the plan's rate, at most 10%, × the remaining amount) and the deposit refund. "
        "`summary` says it in the reader's language."),
        request=None,
        responses={201: s.TerminationQuoteSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        quote = service.termination_quote(contract=contract_get(request, uuid))
        return Response(s.TerminationQuoteSerializer(quote).data, status=status.HTTP_201_CREATED)


class TerminationQuoteExecuteApi(APIView):
    @extend_schema(
        summary=gettext_lazy("End the contract as quoted: free in the cooling-off period, else the penalty is charged"),
        request=None,
        parameters=[OpenApiParameter("quote_id", {"type": "string", "pattern": id_pattern(s.QUOTE)}, OpenApiParameter.PATH,
                                     description=gettext_lazy("The quote's `id`."))],
        responses={200: s.TerminationSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, quote_id: str):
        quote = get_object_or_404(
            TerminationQuote.objects.select_related("contract"),
            pk=quote_pk(quote_id, answered_version(request)) or 0,
            contract__in=contracts_for(request),
        )
        with fields_as_sent(NO_PAYMENT_METHOD_FIELD):
            termination = service.termination_execute(quote=quote, requested_by=request.user)
        return Response(s.TerminationSerializer(termination).data)


class ContractPetLossTerminateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary=gettext_lazy("Pet death or loss: end the contract without penalty (evidence required)"),
        description=gettext_lazy("Multipart: `evidence` (a file) and/or `evidence_note` (at least 10 characters)."),
        request={"multipart/form-data": s.PetLossInputSerializer},
        responses={200: s.TerminationSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = contract_get(request, uuid)
        data = s.PetLossInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_as_sent(NO_PAYMENT_METHOD_FIELD):
            termination = service.contract_terminate_pet_loss(
                contract=contract,
                evidence=data.validated_data.get("evidence"),
                evidence_note=data.validated_data.get("evidence_note", ""),
                requested_by=request.user,
            )
        return Response(s.TerminationSerializer(termination).data)


class ContractCoolingOffCancelApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Cancel within the cooling-off period: everything collected is refunded"),
        request=None,
        responses={200: s.TerminationSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        with fields_as_sent(NO_PAYMENT_METHOD_FIELD):
            termination = service.contract_cancel_cooling_off(contract=contract_get(request, uuid), requested_by=request.user)
        return Response(s.TerminationSerializer(termination).data)


def _termination(request, uuid) -> Termination:
    contract = contract_get(request, uuid)
    termination = Termination.objects.select_related("contract").filter(contract=contract).first()
    if termination is None:
        raise NotTerminated(_("This contract has not ended."))
    return termination


class ContractTerminationDetailApi(APIView):
    @extend_schema(summary=gettext_lazy("How and when the contract ended, with every amount"), responses={200: s.TerminationSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.TerminationSerializer(_termination(request, uuid)).data)


class TerminationEvidenceDownloadApi(DocumentDownloadMixin, APIView):
    permission_classes = [IsShopStaff]
    document_renderers = (OctetStreamRenderer,)

    @extend_schema(
        summary=gettext_lazy("Download the pet-loss evidence (staff)"),
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), **ERRORS},
    )
    def get(self, request, uuid):
        termination = _termination(request, uuid)
        if not termination.evidence:
            raise NoEvidence(_("No evidence file was uploaded for this termination."))
        handle = termination.evidence.open("rb")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"evidence-{termination.contract.uuid}{os.path.splitext(termination.evidence.name)[1]}",
        )
