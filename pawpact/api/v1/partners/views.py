"""Service partners over the API: the emergency clinic search (anyone), the listed partners
(staff), the shop's partner bookings (staff: the shop's; a customer: their own) and the
customer's rating of a completed one. Another shop's booking answers 404."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import PARTNER_BOOKING, id_parameter
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.partners import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.billing.enums import ContractStatus
from pawpact.care.services.partner_redemptions import partner_visit_book
from pawpact.core.clock import default_clock
from pawpact.core.errors import NotFound, PermissionDenied, ValidationFailed
from pawpact.customers.models import Pet
from pawpact.partners import bookings
from pawpact.partners.selectors import (
    bookable_partners,
    clinics_near,
    customer_bookings,
    shop_bookings,
    standings_attach,
)


class NearbyClinicsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary=gettext_lazy("Listed clinics near a point, nearest first (anyone; at most 3 km)"),
                   parameters=[s.NearbyQuerySerializer], responses={200: one_page_of(s.NearbyClinicSerializer), **ERRORS})  # fmt: skip
    def get(self, request):
        query = query_valid(s.NearbyQuerySerializer, request)
        found = clinics_near(latitude=query["lat"], longitude=query["lng"], radius_m=query["radius_m"],
                             open_now_only=query["open_now"])  # fmt: skip
        return one_page(s.NearbyClinicSerializer(found, many=True).data)


class PartnerListApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.PartnerSerializer

    def get_queryset(self):
        query = query_valid(s.PartnerQuerySerializer, self.request)
        return bookable_partners(kind=query.get("kind", ""), service=query.get("service", ""))

    def get_serializer(self, *args, **kwargs):
        # The page's partners with the ratings rule's standing, in one query for the page.
        if args:
            args = (standings_attach(args[0], now=default_clock.now()), *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(summary=gettext_lazy("Partners a shop can book (staff)"), parameters=[s.PartnerQuerySerializer],
                   responses={200: s.PartnerSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _bookings(request):
    if request.user.is_staff:
        return shop_bookings(shop_id=request.tenant.pk).select_related("rating")
    customer = own_customer(request)
    if customer is None:
        return shop_bookings(shop_id=request.tenant.pk).none()
    return customer_bookings(shop_id=request.tenant.pk, customer_uuid=customer.uuid)


class PartnerBookingListCreateApi(ListAPIView):
    serializer_class = s.PartnerBookingSerializer

    def get_queryset(self):
        return _bookings(self.request)

    @extend_schema(summary=gettext_lazy("Bookings at partners (staff: the shop's; customer: their own)"),
                   responses={200: s.PartnerBookingSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Send a booking to a partner (staff)"), request=s.PartnerBookingInputSerializer,
                   responses={201: s.PartnerBookingSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        if not request.user.is_staff:
            raise PermissionDenied(_("Only staff can book partners."))
        data = s.PartnerBookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        pet = Pet.objects.select_related("owner").filter(uuid=values["pet_uuid"], owner__isnull=False).first()
        if pet is None:
            raise ValidationFailed(_("Unknown value."), fields={"pet_uuid": [_("Unknown pet.")]})
        if values["with_entitlement"] and not pet.owner.contracts.filter(status=ContractStatus.ACTIVE).exists():
            raise ValidationFailed(_("This customer has no plan in force."),
                                   fields={"with_entitlement": [_("This customer has no plan in force.")]})  # fmt: skip
        booking = partner_visit_book(
            shop=request.tenant, partner_id=values["partner_id"], pet=pet, service=values["service"],
            scheduled_at=values["scheduled_at"], note=values["note"], with_entitlement=values["with_entitlement"],
        )  # fmt: skip
        return Response(s.PartnerBookingSerializer(booking).data, status=status.HTTP_201_CREATED)


BOOKING_ID = id_parameter("booking_id", PARTNER_BOOKING, "booking")


@extend_schema(parameters=[BOOKING_ID])
class PartnerBookingActApi(APIView):
    permission_classes = [IsShopStaff]
    action = ""

    @extend_schema(summary=gettext_lazy("Complete or cancel a partner booking (staff); completing clears an entitlement"),
                   request=None, responses={200: s.PartnerBookingSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request, booking_id: str):
        act = bookings.partner_booking_complete if self.action == "complete" else bookings.partner_booking_cancel
        booking = act(shop=request.tenant, booking_id=path_pk(PARTNER_BOOKING, booking_id, request) or 0)
        return Response(s.PartnerBookingSerializer(booking).data)


@extend_schema(parameters=[BOOKING_ID])
class PartnerRatingApi(APIView):
    @extend_schema(summary=gettext_lazy("Rate your completed partner service, 1 to 5 stars, once (customer)"),
                   request=s.RatingInputSerializer, responses={201: s.RatingSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request, booking_id: str):
        customer = own_customer(request)
        if customer is None:
            raise NotFound(_("No such booking."))
        data = s.RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        number = path_pk(PARTNER_BOOKING, booking_id, request) or 0
        rating = bookings.rating_submit(shop=request.tenant, booking_id=number, customer_uuid=customer.uuid,
                                        **data.validated_data)  # fmt: skip
        return Response(s.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)
