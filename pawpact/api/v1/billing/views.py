"""Plans, customers, pets, the signing flow and the debit calendar.

Staff see and act on every record of their shop; a customer sees only their own
and signs only their own contract. Someone else's record answers 404, not 403,
so its existence does not leak.
"""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.idempotency import idempotent
from pawpact.api.permissions import IsShopStaff
from pawpact.api.v1.billing import serializers as s
from pawpact.api.v1.serializers import ErrorSerializer
from pawpact.billing import selectors
from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.models import Contract, Plan
from pawpact.billing.services import credit, plans, signing
from pawpact.core.errors import NotFound, PermissionDenied, ValidationFailed
from pawpact.core.http import client_ip
from pawpact.customers import services as customers
from pawpact.customers.models import Customer, Pet

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409, 422)}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="1–255 characters, unique per operation: a retry with the same key gets the first answer.",
)


def _own_customer(request) -> Customer | None:
    return Customer.objects.filter(user=request.user).first()


def _contracts_for(request):
    contracts = Contract.objects.select_related("customer", "pet", "plan_version__plan", "payment_method")
    if request.user.is_staff:
        return contracts
    return contracts.filter(customer__user=request.user)


def _contract(request, uuid) -> Contract:
    return get_object_or_404(_contracts_for(request), uuid=uuid)


class PlanListApi(ListAPIView):
    serializer_class = s.PlanSerializer

    def get_queryset(self):
        plans_on_sale = Plan.objects.prefetch_related("versions")
        return plans_on_sale if self.request.user.is_staff else plans_on_sale.filter(is_active=True)

    @extend_schema(summary="Plans on sale, each with its current terms", responses={200: s.PlanSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PlanVersionCreateApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(
        summary="Change a plan's terms: creates a new version (signed contracts keep theirs)",
        request=s.PlanVersionInputSerializer,
        responses={201: s.PlanVersionSerializer, **ERRORS},
    )
    def post(self, request, code: str):
        plan = get_object_or_404(Plan, code=code)
        data = s.PlanVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = plans.plan_version_create(plan=plan, **data.validated_data)
        return Response(s.PlanVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class CustomerListCreateApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.CustomerSerializer
    queryset = Customer.objects.all()

    @extend_schema(summary="Customers of the shop (staff)", responses={200: s.CustomerSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Register a customer (staff)", request=s.CustomerInputSerializer, responses={201: s.CustomerSerializer, **ERRORS})
    def post(self, request):
        data = s.CustomerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customers.customer_create(**data.validated_data)
        return Response(s.CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerRegisterApi(APIView):
    """A customer opens an account at this shop (self-service) and gets an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.CustomerRegisterSerializer, responses={201: s.CustomerRegisteredSerializer, **ERRORS}, auth=[])
    def post(self, request):
        data = s.CustomerRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer, token = customers.customer_register(**data.validated_data)
        body = {"customer": s.CustomerSerializer(customer).data, "token": token}
        return Response(body, status=status.HTTP_201_CREATED)


class PetListCreateApi(ListAPIView):
    serializer_class = s.PetSerializer

    def get_queryset(self):
        pets = Pet.objects.select_related("owner")
        return pets if self.request.user.is_staff else pets.filter(owner__user=self.request.user)

    @extend_schema(summary="Pets (staff: all; customer: their own)", responses={200: s.PetSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Add a pet", request=s.PetInputSerializer, responses={201: s.PetSerializer, **ERRORS})
    def post(self, request):
        data = s.PetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        owner_uuid = values.pop("owner_uuid", None)
        if request.user.is_staff:
            owner = get_object_or_404(Customer, uuid=owner_uuid) if owner_uuid else None
        else:
            owner = _own_customer(request)
            if owner is None:
                raise PermissionDenied(_("Only customers and staff can add pets."))
        pet = customers.pet_create(owner=owner, **values)
        return Response(s.PetSerializer(pet).data, status=status.HTTP_201_CREATED)


class ContractListCreateApi(ListAPIView):
    serializer_class = s.ContractSerializer

    def get_queryset(self):
        return _contracts_for(self.request)

    @extend_schema(summary="Contracts (staff: all; customer: their own)", responses={200: s.ContractSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Apply to adopt: a draft contract for a pet on a plan version",
        request=s.ContractCreateSerializer,
        responses={201: s.ContractSerializer, **ERRORS},
    )
    def post(self, request):
        data = s.ContractCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if request.user.is_staff:
            if "customer_uuid" not in data.validated_data:
                raise ValidationFailed(
                    _("Some fields are invalid."), fields={"customer_uuid": [_("This field is required.")]}
                )
            customer = get_object_or_404(Customer, uuid=data.validated_data["customer_uuid"])
            pet = get_object_or_404(Pet, uuid=data.validated_data["pet_uuid"])
        else:
            customer = _own_customer(request)
            if customer is None:
                raise PermissionDenied(_("Only customers and staff can apply."))
            pet = get_object_or_404(Pet, uuid=data.validated_data["pet_uuid"], owner=customer)
        contract = signing.application_create(
            customer=customer,
            pet=pet,
            plan_version_id=data.validated_data["plan_version_id"],
            created_by=request.user,
        )
        return Response(s.ContractSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractDetailApi(APIView):
    @extend_schema(responses={200: s.ContractSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.ContractSerializer(_contract(request, uuid)).data)


class ContractCreditCheckApi(APIView):
    @extend_schema(summary="Run the credit check with the shop's credit provider", request=None, responses={200: s.ContractSerializer, **ERRORS})
    def post(self, request, uuid):
        contract = signing.application_credit_check(contract=_contract(request, uuid))
        return Response(s.ContractSerializer(contract).data)


class ContractCreditScoreApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary="Enter a credit score with evidence (staff)", request=s.CreditScoreSerializer, responses={200: s.ContractSerializer, **ERRORS})
    def post(self, request, uuid):
        data = s.CreditScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = credit.credit_record_staff_score(contract=_contract(request, uuid), staff=request.user, **data.validated_data)
        return Response(s.ContractSerializer(contract).data)


class ContractAgreementApi(APIView):
    @extend_schema(summary="The agreement to sign, with its total cost", responses={200: s.AgreementSerializer, **ERRORS})
    def get(self, request, uuid):
        contract = _contract(request, uuid)
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


class ContractAgreementPdfApi(APIView):
    @extend_schema(
        summary="The signed agreement as PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Text and signature record"),
            **ERRORS,
        },
    )
    def get(self, request, uuid):
        contract = _contract(request, uuid)
        if not contract.agreement_sha256:
            raise NotFound(_("The agreement is not signed yet."), code="not_signed")
        response = HttpResponse(agreement_pdf(contract), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="agreement-{contract.uuid}.pdf"'
        return response


class ContractSignApi(APIView):
    @extend_schema(summary="Sign the agreement (the adopter, or staff assisting in the shop)", request=s.SignSerializer, responses={200: s.ContractSerializer, **ERRORS})
    def post(self, request, uuid):
        data = s.SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = signing.contract_sign(
            contract=_contract(request, uuid),
            signer_name=data.validated_data["signer_name"],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
            signed_by_user=request.user,
        )
        return Response(s.ContractSerializer(contract).data)


class ContractPaymentMethodApi(APIView):
    @extend_schema(summary="Attach the payment method the debits will use", request=s.PaymentMethodInputSerializer, responses={200: s.ContractSerializer, **ERRORS})
    def post(self, request, uuid):
        contract = _contract(request, uuid)
        data = s.PaymentMethodInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = signing.contract_payment_method_add(contract=contract, **data.validated_data)
        return Response(s.ContractSerializer(contract).data)


class ContractActivateApi(APIView):
    @extend_schema(
        summary="Collect the deposit (if due) and the first period, and start the contract",
        description="Requires an `Idempotency-Key` header; a retry returns the first answer.",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: s.ContractSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, uuid):
        contract = signing.contract_activate(contract=_contract(request, uuid))
        return Response(s.ContractSerializer(contract).data)


class ContractCalendarApi(APIView):
    @extend_schema(summary="The debit calendar: every period's date, amount and state", responses={200: s.PeriodSerializer(many=True), **ERRORS})
    def get(self, request, uuid):
        contract = _contract(request, uuid)
        return Response(s.PeriodSerializer(selectors.calendar_list(contract=contract), many=True).data)

