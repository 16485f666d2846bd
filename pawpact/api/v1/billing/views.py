"""Plans, applying to adopt, the signing flow and the debit calendar.

Staff see and act on every contract of their shop; a customer sees only their own
and signs only their own contract.
"""

from dataclasses import asdict

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import contract_get, contracts_for, own_customer, own_id_only
from pawpact.api.errors import NO_PAYMENT_METHOD_FIELD, CustomerRequired, NotSigned, fields_as_sent
from pawpact.api.expand import expand_parameter, expansions
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import PLAN, id_pattern
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import METADATA_FILTER, metadata_filtered, query_valid
from pawpact.api.renderers import DocumentDownloadMixin
from pawpact.api.serializers import PaymentMethodInputSerializer
from pawpact.api.v1.billing import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.api.versioning import numbers_for_ids
from pawpact.billing import selectors
from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.errors import UnknownPlanVersion
from pawpact.billing.models import Plan, PlanVersion
from pawpact.billing.services import activation, agreements, credit, plans, signing, withdrawal
from pawpact.core.errors import DomainError, PermissionDenied
from pawpact.core.http import attachment, client_ip
from pawpact.customers.errors import UnknownCustomer, UnknownPet
from pawpact.customers.models import Customer, Pet


def _plans_for(request):
    """Staff see every plan; customers and visitors without a token the plans on sale."""
    plans_on_sale = Plan.objects.prefetch_related("versions")
    return plans_on_sale if getattr(request.user, "is_staff", False) else plans_on_sale.filter(is_active=True)


def _plan_get(request, plan_id: str, plans_seen) -> Plan:
    """The plan a path names by its `id`; clients of 2026-12-01 name it by its code."""
    if numbers_for_ids(request):
        return get_object_or_404(plans_seen, code=plan_id)
    return get_object_or_404(plans_seen, pk=path_pk(PLAN, plan_id, request) or 0)


PLAN_ID = OpenApiParameter(
    "plan_id", {"type": "string", "pattern": id_pattern(PLAN)}, OpenApiParameter.PATH,
    description=gettext_lazy("The plan's `id` (clients of 2026-12-01 send its `code`)."),
)  # fmt: skip


class PlanListApi(ListAPIView):
    """Public: a frontend shows the plans before anyone signs in."""

    permission_classes = [AllowAny]
    serializer_class = s.PlanSerializer

    def get_queryset(self):
        query = query_valid(s.PlanQuerySerializer, self.request)
        plans_seen = _plans_for(self.request)
        return plans_seen.filter(code=query["code"]) if "code" in query else plans_seen

    @extend_schema(
        summary=gettext_lazy("Plans on sale, each with its current terms (no token needed)"),
        parameters=[s.PlanQuerySerializer],
        responses={200: s.PlanSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PlanDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("One plan with its current terms (no token needed)"),
        parameters=[PLAN_ID],
        responses={200: s.PlanSerializer, **ERRORS},
    )
    def get(self, request, plan_id: str):
        return Response(s.PlanSerializer(_plan_get(request, plan_id, _plans_for(request))).data)


class PlanVersionCreateApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("Change a plan's terms: creates a new version (signed contracts keep theirs)"),
        request=s.PlanVersionInputSerializer,
        parameters=[PLAN_ID],
        responses={201: s.PlanVersionSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, plan_id: str):
        plan = _plan_get(request, plan_id, Plan.objects.all())
        data = s.PlanVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = plans.plan_version_create(plan=plan, **data.validated_data)
        return Response(s.PlanVersionSerializer(version).data, status=status.HTTP_201_CREATED)


CONTRACT_EXPANDS = ("customer", "pet", "plan")
LIST_DEFERRED = ("agreement_text", "credit_evidence", "signed_user_agent", "plan_version__entitlements",
                 "plan_version__scope_of_use", "plan_version__fulfilment_rewards")  # fmt: skip


def _contracts_expanded(contracts, wanted: frozenset[str]):
    """The contracts with what `wanted` expands loaded in the same queries, whatever their number."""
    if "pet" in wanted:
        contracts = contracts.select_related("pet__owner")
    if "plan" in wanted:
        contracts = contracts.prefetch_related("plan_version__plan__versions")
    return contracts


class ContractListCreateApi(ListAPIView):
    serializer_class = s.ContractSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand": expansions(self.request, CONTRACT_EXPANDS)}

    def get_queryset(self):
        query = query_valid(s.ContractQuerySerializer, self.request)
        # A contract's agreement and credit evidence (kilobytes each) and its version's terms are
        # not in a list's rows: left in the database rather than read and dropped per row.
        contracts = contracts_for(self.request).defer(*LIST_DEFERRED)
        contracts = _contracts_expanded(contracts, expansions(self.request, CONTRACT_EXPANDS))
        lookups = (("status", "status"), ("customer_uuid", "customer__uuid"), ("pet_uuid", "pet__uuid"),
                   ("created_from", "created_at__date__gte"), ("created_to", "created_at__date__lte"))  # fmt: skip
        for name, lookup in lookups:
            if name in query:
                contracts = contracts.filter(**{lookup: query[name]})
        if "search" in query:
            term = query["search"]
            contracts = contracts.filter(
                Q(customer__name__icontains=term) | Q(customer__phone__contains=term) | Q(pet__name__icontains=term)
            )
        return metadata_filtered(contracts, self.request)

    @extend_schema(
        summary=gettext_lazy("Contracts (staff: all; customer: their own)"),
        parameters=[s.ContractQuerySerializer, METADATA_FILTER, expand_parameter(*CONTRACT_EXPANDS)],
        responses={200: s.ContractSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Apply to adopt: a draft contract for a pet on a plan version"),
        request=s.ContractCreateSerializer,
        responses={201: s.ContractSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request):
        data = s.ContractCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer, pet, version = _applicant_pet_and_version(request, data.validated_data)
        with fields_as_sent({"pet": "pet_uuid", "plan_version": "plan_version_id"}):
            contract = signing.application_create(
                customer=customer,
                pet=pet,
                plan_version_id=data.validated_data["plan_version_id"],
                created_by=request.user,
                metadata=data.validated_data.get("metadata"),
                offered=version,
            )
        return Response(s.ContractSerializer(contract).data, status=status.HTTP_201_CREATED)


def _applicant_pet_and_version(request, data: dict) -> tuple[Customer, Pet, PlanVersion]:
    """The customer applying, their pet and the plan version on sale; an unknown customer, pet
    or plan version answers with every one of them named at once, under the first one's code."""
    problems: list[DomainError] = []
    if request.user.is_staff:
        if "customer_uuid" not in data:
            raise CustomerRequired(
                _("Staff apply on a customer's behalf: name the customer."),
                fields={"customer_uuid": [_("This field is required.")]},
            )
        customer = Customer.objects.filter(uuid=data["customer_uuid"]).first()
        if customer is None:
            unknown = {"customer_uuid": [_("Unknown customer.")]}
            problems.append(UnknownCustomer(_("No such customer at this shop."), fields=unknown))
        pet = Pet.objects.filter(uuid=data["pet_uuid"]).first()
    else:
        customer = own_customer(request)
        if customer is None:
            raise PermissionDenied(_("Only customers and staff can apply."))
        own_id_only(customer, data.get("customer_uuid"), "customer_uuid")
        pet = Pet.objects.filter(uuid=data["pet_uuid"], owner=customer).first()
    if pet is None:
        problems.append(UnknownPet(_("No such pet at this shop."), fields={"pet_uuid": [_("Unknown pet.")]}))
    version = None
    try:
        version = signing.plan_version_offered(data["plan_version_id"])
    except UnknownPlanVersion as error:
        problems.append(error)
    if len(problems) > 1:
        fields = {name: messages for problem in problems for name, messages in problem.fields.items()}
        raise type(problems[0])(_("Some fields are invalid."), fields=fields)
    if problems:
        raise problems[0]
    return customer, pet, version


class ContractDetailApi(APIView):
    @extend_schema(parameters=[expand_parameter(*CONTRACT_EXPANDS)], responses={200: s.ContractSerializer, **ERRORS})
    def get(self, request, uuid):
        wanted = expansions(request, CONTRACT_EXPANDS)
        contract = get_object_or_404(_contracts_expanded(contracts_for(request), wanted), uuid=uuid)
        return Response(s.ContractSerializer(contract, context={"expand": wanted}).data)

    @extend_schema(
        summary=gettext_lazy("Change a contract's metadata (its terms never change)"),
        request=s.ContractUpdateSerializer,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    def patch(self, request, uuid):
        contract = contract_get(request, uuid)
        data = s.ContractUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = signing.contract_metadata_update(contract=contract, metadata=data.validated_data["metadata"])
        return Response(s.ContractSerializer(contract).data)


class ContractCreditCheckApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Run the credit check with the shop's credit provider"),
        request=None,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        contract = signing.application_credit_check(contract=contract_get(request, uuid))
        return Response(s.ContractSerializer(contract).data)


class ContractCreditConsentApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Record the applicant's consent to the credit check"),
        description=(
            gettext_lazy("The applicant agrees, on their own account (or in person, with the staff member's token), to the "
            "wording returned in `text`, in the request's language. The credit check (Zhima, or the test-mode "
            "sandbox) runs only after this, in both modes. Recording it again returns the first consent.")
        ),
        request=None, responses={200: s.CreditConsentSerializer, **ERRORS},
    )  # fmt: skip
    @idempotent(required=False)
    def post(self, request, uuid):
        consent = credit.credit_consent_record(
            contract=contract_get(request, uuid), user=request.user, shop_name=request.tenant.name,
            ip=client_ip(request) or "", user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )  # fmt: skip
        return Response(s.CreditConsentSerializer(consent).data)


class ContractCreditScoreRecordApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary=gettext_lazy("Enter a credit score with evidence (staff)"),
        request=s.CreditScoreSerializer,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        data = s.CreditScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = credit.credit_record_staff_score(
            contract=contract_get(request, uuid), staff=request.user, **data.validated_data
        )
        return Response(s.ContractSerializer(contract).data)


class ContractAgreementDetailApi(APIView):
    @extend_schema(
        summary=gettext_lazy("The agreement to sign, with its total cost"), responses={200: s.AgreementSerializer, **ERRORS}
    )
    def get(self, request, uuid):
        contract = contract_get(request, uuid)
        text = contract.agreement_text or signing.agreement_render(contract=contract)
        body = {
            "text": text,
            "sha256": contract.agreement_sha256,
            "monthly_amount_minor": contract.monthly_amount_minor,
            "periods": contract.periods,
            "total_minor": contract.total_minor,
            "currency": contract.currency,
        }
        return Response(s.AgreementSerializer(body).data)


class ContractAgreementPdfDownloadApi(DocumentDownloadMixin, APIView):
    @extend_schema(
        summary=gettext_lazy("The signed agreement as PDF"),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("Text and signature record")),
            **ERRORS,
        },
    )
    def get(self, request, uuid):
        contract = contract_get(request, uuid)
        if not contract.agreement_sha256:
            raise NotSigned(_("The agreement is not signed yet."))
        return attachment(
            agreement_pdf(contract), content_type="application/pdf", filename=f"agreement-{contract.uuid}.pdf"
        )


class ContractSignApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Sign the agreement (the adopter only; staff send a signing link instead)"),
        request=s.SignSerializer,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        contract = contract_get(request, uuid)  # someone else's contract: 404 whatever the body
        data = s.SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = signing.contract_sign(
            contract=contract,
            signer_name=data.validated_data["signer_name"],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
            signed_by_user=request.user,
        )
        return Response(s.ContractSerializer(contract).data)


class ContractPaymentMethodAttachApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Attach the payment method the debits will use"),
        request=PaymentMethodInputSerializer,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent(required=False)
    def post(self, request, uuid):
        contract = contract_get(request, uuid)
        data = PaymentMethodInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_as_sent({"payment_method": "token"}):
            contract = signing.contract_payment_method_add(contract=contract, **data.validated_data)
        return Response(s.ContractSerializer(contract).data)


class ContractAgreementSigningApi(APIView):
    @extend_schema(
        summary="Begin signing a debit agreement (Alipay 周期扣款 or WeChat 委托代扣) for the contract",
        description=gettext_lazy("For a draft or signed contract. Send the customer to `url` (H5), show it as a QR code, or, "
        "in a WeChat mini-program, open `mini_program` with `wx.navigateToMiniProgram`. When the provider "
        "notifies the signing, the agreement becomes the contract's payment method (`payment_method_id` on the "
        "contract); then activate the contract. Requires an `Idempotency-Key` header; a retry returns the first "
        "answer. A rail without the shop's verified credentials answers 4xx and starts nothing."),
        request=s.AgreementSigningInputSerializer,
        responses={201: s.AgreementSigningSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = contract_get(request, uuid)
        data = s.AgreementSigningInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_as_sent({"payment_method": "rail"}):
            start = agreements.agreement_sign_begin(contract=contract, **data.validated_data)
        answer = {"rail": start.rail, "url": start.url, "agreement_code": start.code,
                  "pre_entrustweb_id": start.pre_entrustweb_id, "mini_program": start.mini_program}  # fmt: skip
        return Response(s.AgreementSigningSerializer(answer).data, status=status.HTTP_201_CREATED)


class ContractActivateApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Collect the deposit (if due) and the first period, and start the contract"),
        description=gettext_lazy("Requires an `Idempotency-Key` header; a retry returns the first answer."),
        request=None,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        with fields_as_sent(NO_PAYMENT_METHOD_FIELD):
            contract = activation.contract_activate(contract=contract_get(request, uuid))
        return Response(s.ContractSerializer(contract).data)


class ContractWithdrawApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Withdraw a contract that has not started (an application, or signed but not active)"),
        description=gettext_lazy("The way out when the first debit failed: the calendar is cancelled and a held deposit is "
        "refunded. An active or ended contract answers 409 `illegal_transition`. Requires an `Idempotency-Key` "
        "header."),
        request=None,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = withdrawal.contract_withdraw(contract=contract_get(request, uuid), requested_by=request.user)
        return Response(s.ContractSerializer(contract).data)


class ContractCalendarListApi(APIView):
    @extend_schema(
        summary=gettext_lazy("The debit calendar: every period's date, amount and state"),
        parameters=[expand_parameter("attempts")],
        responses={200: one_page_of(s.PeriodSerializer), **ERRORS},
    )
    def get(self, request, uuid):
        wanted = expansions(request, ("attempts",))
        contract = contract_get(request, uuid)
        periods = [asdict(entry) for entry in selectors.calendar_list(contract=contract)]
        if "attempts" in wanted:
            by_number = selectors.calendar_attempts(contract=contract)
            for period in periods:
                period["attempts"] = by_number.get(period["number"], [])
        return one_page(s.PeriodSerializer(periods, many=True, context={"expand": wanted}).data)
