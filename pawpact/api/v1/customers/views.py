"""Customers and their pets. Staff register customers and add pets for anyone; a customer
opens their own account and adds their own pets."""
from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer, own_id_only
from pawpact.api.idempotency import idempotent
from pawpact.api.lockout import lockout_seconds
from pawpact.api.openapi import ERRORS, error_responses
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import METADATA_FILTER, metadata_filtered, query_valid
from pawpact.api.serializers import TokenSerializer
from pawpact.api.sign_in import CUSTOMER_REGISTERED, PHONE_SIGN_IN, signed_in
from pawpact.api.user_agent import device_name
from pawpact.api.v1.customers import serializers as s
from pawpact.api.versioning import answered_version
from pawpact.core.errors import PermissionDenied
from pawpact.core.http import api_language
from pawpact.customers import services as customers
from pawpact.customers.models import Customer, Pet
from pawpact.customers.phone_sign_in import phone_checked, phone_code_send, phone_sign_in
from pawpact.customers.registration import customer_registration_confirm, customer_registration_start
from pawpact.messaging.verification import verification_sms_send


class CustomerListCreateApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.CustomerSerializer

    def get_queryset(self):
        query = query_valid(s.CustomerQuerySerializer, self.request)
        found = Customer.objects.all()
        if "search" in query:
            term = query["search"]
            # A customer's email is their login's: found whole, never by a fragment, so a list
            # cannot be walked address by address.
            found = found.filter(Q(name__icontains=term) | Q(phone__contains=term) | Q(user__email__iexact=term.strip())
                                 | Q(email__iexact=term.strip()))
        if "standing" in query:
            found = found.filter(standing=query["standing"])
        return metadata_filtered(found, self.request)

    @extend_schema(
        summary=gettext_lazy("Customers of the shop (staff)"),
        parameters=[s.CustomerQuerySerializer, METADATA_FILTER],
        responses={200: s.CustomerSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Register a customer (staff)"), request=s.CustomerInputSerializer, responses={201: s.CustomerSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request):
        data = s.CustomerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customers.customer_create(**data.validated_data)
        return Response(s.CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerRegisterApi(APIView):
    """A customer opens an account at this shop (self-service): the answer is the same whether or
    not the email or phone is known here; the code mailed to a new address and the one texted to
    a new number finish it at `/customers/register/confirm`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.CustomerRegisterSerializer, responses={202: s.RegistrationSerializer, **ERRORS}, auth=[])
    def post(self, request):
        data = s.CustomerRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "language" not in values and request.META.get("HTTP_ACCEPT_LANGUAGE"):
            values["language"] = api_language(request.META["HTTP_ACCEPT_LANGUAGE"])
        customer_registration_start(**values, shop_name=request.tenant.name, sms_send=verification_sms_send)
        body = s.RegistrationSerializer({"email": data.validated_data["email"]}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class CustomerRegisterConfirmApi(APIView):
    """Finish a registration with the emailed and the texted code: the login, the customer and a
    signed-in device."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.RegistrationConfirmSerializer, responses={201: TokenSerializer, **ERRORS}, auth=[])
    def post(self, request):
        data = s.RegistrationConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        values["device_name"] = device_name(values["device_name"], request.META.get("HTTP_USER_AGENT", ""))
        customer, tokens = customer_registration_confirm(**values, api_version=answered_version(request))
        return signed_in(tokens, customer=customer, registered=True, answered_as=CUSTOMER_REGISTERED)


class PetListCreateApi(ListAPIView):
    serializer_class = s.PetSerializer

    def get_queryset(self):
        query = query_valid(s.PetQuerySerializer, self.request)
        pets = _pets_for(self.request)
        if "owner_uuid" in query:
            pets = pets.filter(owner__uuid=query["owner_uuid"])
        if "species" in query:
            pets = pets.filter(species=query["species"])
        return pets

    @extend_schema(
        summary=gettext_lazy("Pets (staff: all; customer: their own)"),
        parameters=[s.PetQuerySerializer],
        responses={200: s.PetSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Add a pet"), request=s.PetInputSerializer, responses={201: s.PetSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request):
        data = s.PetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        owner_uuid = values.pop("owner_uuid", None)
        if request.user.is_staff:
            owner = get_object_or_404(Customer, uuid=owner_uuid) if owner_uuid else None
        else:
            owner = own_customer(request)
            if owner is None:
                raise PermissionDenied(_("Only customers and staff can add pets."))
            own_id_only(owner, owner_uuid, "owner_uuid")
        pet = customers.pet_create(owner=owner, **values)
        return Response(s.PetSerializer(pet).data, status=status.HTTP_201_CREATED)


def _customers_for(request):
    return Customer.objects.all() if request.user.is_staff else Customer.objects.filter(user=request.user)


def _pets_for(request):
    pets = Pet.objects.select_related("owner")
    return pets if request.user.is_staff else pets.filter(owner__user=request.user)


class CustomerDetailUpdateApi(APIView):
    """One customer: staff read and edit any customer of the shop, a customer only themself
    (anyone else's record answers 404)."""

    @extend_schema(summary=gettext_lazy("A customer (staff; a customer: themself)"), responses={200: s.CustomerSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.CustomerSerializer(get_object_or_404(_customers_for(request), uuid=uuid)).data)

    @extend_schema(
        summary=gettext_lazy("Change a customer's name, phone or date of birth"),
        request=s.CustomerUpdateSerializer,
        responses={200: s.CustomerSerializer, **ERRORS},
    )
    def patch(self, request, uuid):
        customer = get_object_or_404(_customers_for(request), uuid=uuid)
        data = s.CustomerUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customers.customer_update(customer=customer, **data.validated_data)
        return Response(s.CustomerSerializer(customer).data)


class PetDetailUpdateApi(APIView):
    """One pet: staff read and edit any pet of the shop, a customer only their own."""

    @extend_schema(summary=gettext_lazy("A pet (staff: any; customer: their own)"), responses={200: s.PetSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.PetSerializer(get_object_or_404(_pets_for(request), uuid=uuid)).data)

    @extend_schema(
        summary=gettext_lazy("Change a pet's name, species, breed or dates"),
        request=s.PetUpdateSerializer,
        responses={200: s.PetSerializer, **ERRORS},
    )
    def patch(self, request, uuid):
        pet = get_object_or_404(_pets_for(request), uuid=uuid)
        data = s.PetUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pet = customers.pet_update(pet=pet, **data.validated_data)
        return Response(s.PetSerializer(pet).data)


class PhoneCodeApi(APIView):
    """Text a sign-in code to a phone number. The answer is the same whether or not the number
    is a customer's here; a number gets at most one text a minute and five a day."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.PhoneCodeRequestSerializer, responses={202: s.PhoneCodeSentSerializer, **error_responses(400)},
                   auth=[])  # fmt: skip
    def post(self, request):
        data = s.PhoneCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = data.validated_data["phone"]
        phone_code_send(phone=phone, shop_name=request.tenant.name, sms_send=verification_sms_send)
        return Response(s.PhoneCodeSentSerializer({}).data, status=status.HTTP_202_ACCEPTED)


class PhoneSignInApi(APIView):
    """Sign in with a phone number and its texted code: a customer of the shop is signed in on
    a new device; a number new here registers with `name` and `birth_date` (201). Wrong codes
    count toward the same lockout as wrong passwords (429)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.PhoneSignInSerializer,
                   responses={200: TokenSerializer, 201: TokenSerializer,
                              **error_responses(400, 422, 429)}, auth=[])  # fmt: skip
    def post(self, request):
        data = s.PhoneSignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        adapter = get_adapter(request)
        try:  # allauth's failed-login limit (per address and per number), as on a password login
            adapter.pre_authenticate(request, username="phone:" + phone_checked(values["phone"]))
        except DjangoValidationError as error:
            raise Throttled(detail=error.messages[0], wait=lockout_seconds()) from None
        if "language" not in values and request.META.get("HTTP_ACCEPT_LANGUAGE"):
            values["language"] = api_language(request.META["HTTP_ACCEPT_LANGUAGE"])
        values["device_name"] = device_name(values["device_name"], request.META.get("HTTP_USER_AGENT", ""))
        # A refusal (a wrong code) keeps its count toward the lockout; a success gives it back.
        signed = phone_sign_in(**values, api_version=answered_version(request))
        adapter._rollback_login_failed_rl_usage()
        return signed_in(signed.tokens, customer=signed.customer, registered=signed.created, answered_as=PHONE_SIGN_IN)
