"""The pet archive, the health guarantee and adoptions over the API.

A customer reads and writes only their own pets' archive and claims (anyone else's answers
404); staff every pet of the shop and the queues. Adoption listings are public: anyone on
the shop's host may read them and apply.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.errors import NO_PAYMENT_METHOD_FIELD, fields_as_sent
from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.pets import serializers as s
from pawpact.care import pet_selectors as selectors
from pawpact.care.pet_models import AdoptionApplication, GuaranteeClaim
from pawpact.care.services import adoptions, guarantee, pet_archive
from pawpact.core.errors import NotFound, ValidationFailed
from pawpact.customers.models import Customer, Pet


def _pets(request):
    return selectors.pets_with_archive(owner=own_customer(request), staff=request.user.is_staff)


def _pet(request, uuid) -> Pet:
    return get_object_or_404(_pets(request), uuid=uuid)


def _archive(request, uuid) -> Response:
    return Response(s.PetArchiveSerializer(_pet(request, uuid)).data)


class PetArchiveApi(APIView):
    @extend_schema(summary=gettext_lazy("A pet's archive: profile, weights, records, photos (staff: any; customer: their own)"), responses={200: s.PetArchiveSerializer, **ERRORS})
    def get(self, request, uuid):
        return _archive(request, uuid)

    @extend_schema(summary=gettext_lazy("Change the pet's sex, allergies, microchip or dates"), request=s.PetArchiveUpdateSerializer, responses={200: s.PetArchiveSerializer, **ERRORS})
    def patch(self, request, uuid):
        pet = _pet(request, uuid)
        data = s.PetArchiveUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pet_archive.pet_profile_update(pet=pet, changes=dict(data.validated_data))
        return _archive(request, uuid)


class PetWeightApi(APIView):
    @extend_schema(summary=gettext_lazy("Record a weight (grams)"), request=s.WeightInputSerializer, responses={201: s.PetArchiveSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        pet = _pet(request, uuid)
        data = s.WeightInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pet_archive.pet_weight_record(pet=pet, **data.validated_data)
        return Response(s.PetArchiveSerializer(_pet(request, uuid)).data, status=status.HTTP_201_CREATED)


class PetRecordApi(APIView):
    @extend_schema(summary=gettext_lazy("Record a vaccine, deworming or check-up"), request=s.HealthRecordInputSerializer, responses={201: s.HealthRecordSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        pet = _pet(request, uuid)
        data = s.HealthRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = pet_archive.health_record_add(pet=pet, by=request.user, **data.validated_data)
        return Response(s.HealthRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class PetPhotoApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary=gettext_lazy("Add photos (JPEG, PNG or WebP, at most 8 MB each)"), request={"multipart/form-data": s.PhotoInputSerializer}, responses={201: s.PetArchiveSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        pet = _pet(request, uuid)
        pet_archive.pet_photos_add(pet=pet, photos=request.FILES.getlist("photos"))
        return Response(s.PetArchiveSerializer(_pet(request, uuid)).data, status=status.HTTP_201_CREATED)


class ListingListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.ListingSerializer

    def get_queryset(self):
        return selectors.listings_public().order_by("-listed_at", "-id")

    @extend_schema(summary=gettext_lazy("Pets open for adoption (anyone)"), responses={200: s.ListingSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ListingDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary=gettext_lazy("A pet open for adoption (anyone)"), responses={200: s.ListingSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.ListingSerializer(get_object_or_404(selectors.listings_public(), uuid=uuid)).data)


class ListingApplyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary=gettext_lazy("Apply to adopt a listed pet (anyone)"), request=s.ApplicationInputSerializer, responses={201: s.ApplicationReceiptSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        listing = get_object_or_404(selectors.listings_all(), uuid=uuid)
        data = s.ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = own_customer(request) if getattr(request.user, "is_authenticated", False) else None
        application = adoptions.adoption_application_submit(listing=listing, values=dict(data.validated_data), customer=customer)
        return Response(s.ApplicationReceiptSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.ApplicationSerializer

    def get_queryset(self):
        query = query_valid(s.ApplicationQuerySerializer, self.request)
        return selectors.applications_queue(status=query.get("status", ""))

    @extend_schema(summary=gettext_lazy("Adoption applications (staff)"), parameters=[s.ApplicationQuerySerializer],
                   responses={200: s.ApplicationSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ApplicationApproveApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Approve an application for a customer (staff); the pet is reserved for signing"), request=s.ApproveInputSerializer, responses={200: s.ApplicationSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        application = get_object_or_404(AdoptionApplication, uuid=uuid)
        data = s.ApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = Customer.objects.filter(uuid=data.validated_data["customer_uuid"]).first()
        if customer is None:
            raise ValidationFailed(_("Unknown value."), fields={"customer_uuid": [_("Unknown customer.")]})
        application = adoptions.adoption_application_approve(application=application, customer=customer, staff=request.user)
        return Response(s.ApplicationSerializer(application).data)


class ApplicationDeclineApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Decline an application with the reason (staff)"), request=s.ReasonInputSerializer, responses={200: s.ApplicationSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        application = get_object_or_404(AdoptionApplication, uuid=uuid)
        data = s.ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = adoptions.adoption_application_decline(application=application, staff=request.user, **data.validated_data)
        return Response(s.ApplicationSerializer(application).data)


def _claims(request):
    return selectors.guarantee_claims(customer=own_customer(request), staff=request.user.is_staff)


class ClaimListCreateApi(ListAPIView):
    serializer_class = s.ClaimSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return _claims(self.request)

    @extend_schema(summary=gettext_lazy("Health guarantee claims (staff: all; customer: their own)"), responses={200: s.ClaimSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Claim the health guarantee for your pet, with the vet's evidence"), request={"multipart/form-data": s.ClaimInputSerializer}, responses={201: s.ClaimSerializer, **ERRORS})
    @idempotent
    def post(self, request):
        data = s.ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = own_customer(request)
        pet = Pet.objects.filter(uuid=values.pop("pet_uuid"), owner=customer).first() if customer else None
        if pet is None:  # someone else's pet answers as an unknown one
            raise NotFound(_("Choose one of your own pets."), fields={"pet_uuid": [_("Choose one of your own pets.")]})
        claim = guarantee.guarantee_claim_submit(pet=pet, customer=customer, evidence=values.pop("evidence", None), **values)
        return Response(s.ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    @extend_schema(summary=gettext_lazy("A guarantee claim (staff: any; customer: their own)"), responses={200: s.ClaimSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.ClaimSerializer(get_object_or_404(_claims(request), uuid=uuid)).data)


class ClaimDecideApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Decide a claim: replacement or refund; the plan ends by the pet-loss rule (staff)"), request=s.ClaimDecideSerializer, responses={200: s.ClaimSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        claim = get_object_or_404(GuaranteeClaim, uuid=uuid)
        data = s.ClaimDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        replacement = None
        if "replacement_pet_uuid" in values:
            replacement = Pet.objects.filter(uuid=values.pop("replacement_pet_uuid")).first()
        with fields_as_sent(NO_PAYMENT_METHOD_FIELD):
            claim = guarantee.guarantee_claim_decide(claim=claim, staff=request.user, replacement_pet=replacement, **values)
        return Response(s.ClaimSerializer(claim).data)


class ClaimDeclineApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Decline a claim with the reason (staff)"), request=s.ReasonInputSerializer, responses={200: s.ClaimSerializer, **ERRORS})
    @idempotent
    def post(self, request, uuid):
        claim = get_object_or_404(GuaranteeClaim, uuid=uuid)
        data = s.ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = guarantee.guarantee_claim_decline(claim=claim, staff=request.user, **data.validated_data)
        return Response(s.ClaimSerializer(claim).data)
