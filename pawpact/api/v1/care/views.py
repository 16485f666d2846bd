"""Service booking over the API. Staff manage services and resources and see every
booking of the shop; a customer sees the services and free slots, books for their own
pets and sees, moves and cancels only their own bookings (anyone else's answers 404)."""
from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
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
from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import IsShopStaff
from pawpact.api.query import query_valid
from pawpact.api.v1.care import serializers as s
from pawpact.care import selectors
from pawpact.care.errors import BookingInvalid
from pawpact.care.models import Booking, Complaint, Resource, ServiceType
from pawpact.care.services import bookings as booking_services
from pawpact.care.services import catalogue, complaints
from pawpact.core.errors import NotFound, PermissionDenied, ValidationFailed
from pawpact.customers.models import Pet

MAX_SLOT_DAYS = 31


def _staff(request) -> bool:
    return bool(getattr(request.user, "is_staff", False))


def _services_for(request):
    """Staff see every service; customers and visitors without a token the active ones."""
    found = ServiceType.objects.all()
    return found if _staff(request) else found.filter(is_active=True)


def _bookings_for(request):
    found = Booking.objects.select_related("customer", "pet", "service", "resource")
    if _staff(request):
        return found
    return found.filter(customer__user=request.user)


class ServiceTypeListCreateApi(ListAPIView):
    """Public to read: a mini-program shows the services before anyone signs in."""

    serializer_class = s.ServiceTypeSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    def get_queryset(self):
        return _services_for(self.request)

    @extend_schema(summary=gettext_lazy("Services the shop offers (no token needed; staff: inactive ones too)"), responses={200: s.ServiceTypeSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Add a service (staff)"), request=s.ServiceTypeInputSerializer, responses={201: s.ServiceTypeSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request):
        if not _staff(request):
            raise PermissionDenied(_("Only staff can add services."))
        data = s.ServiceTypeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = catalogue.service_type_create(**data.validated_data)
        return Response(s.ServiceTypeSerializer(service).data, status=status.HTTP_201_CREATED)


class ServiceTypeDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary=gettext_lazy("One service the shop offers (no token needed)"), responses={200: s.ServiceTypeSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.ServiceTypeSerializer(get_object_or_404(_services_for(request), uuid=uuid)).data)


class ResourceListCreateApi(ListAPIView):
    permission_classes = [IsShopStaff]
    serializer_class = s.ResourceSerializer
    queryset = Resource.objects.prefetch_related("services", "hours")

    @extend_schema(summary=gettext_lazy("Groomers, vets and places that perform services (staff)"), responses={200: s.ResourceSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Add a resource with its working hours (staff)"), request=s.ResourceInputSerializer, responses={201: s.ResourceSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request):
        data = s.ResourceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services = list(ServiceType.objects.filter(uuid__in=values["service_uuids"]))
        if len(services) != len(set(values["service_uuids"])):
            raise ValidationFailed(_("Unknown service."), fields={"service_uuids": [_("Unknown service.")]})
        hours = [(h["weekday"], h["opens"], h["closes"]) for h in values["hours"]]
        resource = catalogue.resource_create(name=values["name"], services=services, hours=hours)
        return Response(s.ResourceSerializer(resource).data, status=status.HTTP_201_CREATED)


class ResourceDayOffApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Close a resource for a day (staff)"), request=s.DayOffInputSerializer, responses={201: s.DayOffSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        resource = get_object_or_404(Resource, uuid=uuid)
        data = s.DayOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        day_off = catalogue.day_off_add(resource=resource, **data.validated_data)
        return Response(s.DayOffSerializer(day_off).data, status=status.HTTP_201_CREATED)


class SlotListApi(APIView):
    @extend_schema(summary=gettext_lazy("Free appointment times for a service"), parameters=[s.SlotQuerySerializer], responses={200: one_page_of(s.SlotSerializer), **ERRORS})
    def get(self, request):
        query = query_valid(s.SlotQuerySerializer, request)
        if not timedelta(0) <= query["date_to"] - query["date_from"] <= timedelta(days=MAX_SLOT_DAYS - 1):
            message = _("Ask for 1 to %(days)s days.") % {"days": MAX_SLOT_DAYS}
            raise ValidationFailed(message, fields={"date_to": [message]})
        service = get_object_or_404(ServiceType, uuid=query["service_uuid"], is_active=True)
        resources = {r.pk: r.uuid for r in Resource.objects.filter(services=service)}
        wanted = None
        if "resource_uuid" in query:
            wanted = [pk for pk, value in resources.items() if value == query["resource_uuid"]]
        slots = selectors.slots_available(
            service=service, day_from=query["date_from"], day_to=query["date_to"], now=timezone.now(), resource_ids=wanted
        )
        body = [{"resource_uuid": resources[slot.resource_id], "starts_at": slot.starts_at, "ends_at": slot.ends_at} for slot in slots]
        return one_page(s.SlotSerializer(body, many=True).data)


class BookingListCreateApi(ListAPIView):
    serializer_class = s.BookingSerializer

    def get_queryset(self):
        query = query_valid(s.BookingQuerySerializer, self.request)
        if _staff(self.request) and "date" in query:
            return selectors.bookings_of_day(day=query["date"])
        return _bookings_for(self.request).order_by("-starts_at", "-id")

    @extend_schema(summary=gettext_lazy("Bookings (staff: all; customer: their own)"), parameters=[s.BookingQuerySerializer], responses={200: s.BookingSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Book a service for a pet"), request=s.BookingInputSerializer, responses={201: s.BookingSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request):
        data = s.BookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        pets = Pet.objects.select_related("owner")
        pet = pets.filter(uuid=values["pet_uuid"]).first()
        customer = pet.owner if pet is not None and _staff(request) else own_customer(request)
        if pet is None or customer is None:
            raise BookingInvalid(_("Book only for your own pet."), fields={"pet_uuid": [_("Unknown pet.")]})
        booking = booking_services.booking_create(
            customer=customer,
            pet=pet,
            service=_found(ServiceType.objects.filter(is_active=True), values["service_uuid"], "service_uuid"),
            resource=_found(Resource.objects.filter(is_active=True), values["resource_uuid"], "resource_uuid"),
            starts_at=values["starts_at"],
            note=values.get("note", ""),
            created_by=request.user,
        )
        return Response(s.BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def _found(queryset, uuid, field: str):
    found = queryset.filter(uuid=uuid).first()
    if found is None:
        raise ValidationFailed(_("Unknown value."), fields={field: [_("Unknown value.")]})
    return found


class BookingDetailApi(APIView):
    @extend_schema(summary=gettext_lazy("A booking (staff: any; customer: their own)"), responses={200: s.BookingSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.BookingSerializer(get_object_or_404(_bookings_for(request), uuid=uuid)).data)


class BookingRescheduleApi(APIView):
    @extend_schema(summary=gettext_lazy("Move a booking to another time"), request=s.BookingRescheduleSerializer, responses={200: s.BookingSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        booking = get_object_or_404(_bookings_for(request), uuid=uuid)
        data = s.BookingRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = None
        if "resource_uuid" in data.validated_data:
            resource = _found(Resource.objects.filter(is_active=True), data.validated_data["resource_uuid"], "resource_uuid")
        booking = booking_services.booking_reschedule(
            booking=booking, starts_at=data.validated_data["starts_at"], resource=resource, by_staff=_staff(request)
        )
        return Response(s.BookingSerializer(booking).data)


class BookingCancelApi(APIView):
    @extend_schema(summary=gettext_lazy("Cancel a booking"), request=None, responses={200: s.BookingSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        booking = get_object_or_404(_bookings_for(request), uuid=uuid)
        booking = booking_services.booking_cancel(booking=booking, by_staff=_staff(request))
        return Response(s.BookingSerializer(booking).data)


class BookingCompleteApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Close a booking as served, collecting what is due (staff)"), request=s.BookingCompleteSerializer, responses={200: s.BookingSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        booking = get_object_or_404(Booking, uuid=uuid)
        data = s.BookingCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_services.booking_complete(booking=booking, collected=data.validated_data["collected"])
        return Response(s.BookingSerializer(booking).data)


class BookingNoShowApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Record a no-show (staff)"), request=None, responses={200: s.BookingSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        booking = get_object_or_404(Booking, uuid=uuid)
        return Response(s.BookingSerializer(booking_services.booking_no_show(booking=booking)).data)


def _complaints_for(request):
    found = Complaint.objects.select_related("customer", "booking", "contract", "order").prefetch_related("entries")
    return found if _staff(request) else found.filter(customer__user=request.user)


class ComplaintListCreateApi(ListAPIView):
    serializer_class = s.ComplaintSerializer
    # Photos come as multipart form data; a complaint without photos may be JSON.
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        query = query_valid(s.ComplaintQuerySerializer, self.request)
        found = _complaints_for(self.request)
        if "status" in query:
            found = found.filter(status=query["status"])
        if query.get("breached") and _staff(self.request):
            found = found.filter(breaches__isnull=False).distinct()
        return found

    @extend_schema(summary=gettext_lazy("Complaints (staff: all, with their clocks; customer: their own)"), parameters=[s.ComplaintQuerySerializer], responses={200: s.ComplaintSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("File a complaint (customer)"), request=s.ComplaintInputSerializer, responses={201: s.ComplaintSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request):
        customer = own_customer(request)
        if customer is None:
            raise PermissionDenied(_("Only customers file complaints."))
        data = s.ComplaintInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaints.complaint_file(customer=customer, **data.validated_data)
        return Response(s.ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    @extend_schema(summary=gettext_lazy("A complaint and its thread"), responses={200: s.ComplaintSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.ComplaintSerializer(get_object_or_404(_complaints_for(request), uuid=uuid)).data)


class ComplaintRespondApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Answer a complaint (staff)"), request=s.ComplaintTextSerializer, responses={200: s.ComplaintSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        complaint = get_object_or_404(Complaint, uuid=uuid)
        data = s.ComplaintTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaints.complaint_respond(complaint=complaint, author=request.user, text=data.validated_data["text"])
        return Response(s.ComplaintSerializer(complaint).data)


class ComplaintResolveApi(APIView):
    permission_classes = [IsShopStaff]

    @extend_schema(summary=gettext_lazy("Resolve a complaint, saying how (staff)"), request=s.ComplaintTextSerializer, responses={200: s.ComplaintSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        complaint = get_object_or_404(Complaint, uuid=uuid)
        data = s.ComplaintTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaints.complaint_resolve(complaint=complaint, author=request.user, text=data.validated_data["text"])
        return Response(s.ComplaintSerializer(complaint).data)


def _customers_complaint(request, uuid) -> Complaint:
    complaint = Complaint.objects.filter(uuid=uuid, customer__user=request.user).first()
    if complaint is None:
        raise NotFound(_("Not found."))
    return complaint


class ComplaintConfirmApi(APIView):
    @extend_schema(summary=gettext_lazy("Accept the resolution (customer)"), request=None, responses={200: s.ComplaintSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        complaint = complaints.complaint_confirm(complaint=_customers_complaint(request, uuid))
        return Response(s.ComplaintSerializer(complaint).data)


class ComplaintReopenApi(APIView):
    @extend_schema(summary=gettext_lazy("Reopen a resolved complaint, saying why (customer)"), request=s.ComplaintTextSerializer, responses={200: s.ComplaintSerializer, **ERRORS})
    @idempotent(required=False)
    def post(self, request, uuid):
        complaint = _customers_complaint(request, uuid)
        data = s.ComplaintTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaints.complaint_reopen(complaint=complaint, text=data.validated_data["text"])
        return Response(s.ComplaintSerializer(complaint).data)
