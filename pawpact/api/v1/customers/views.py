"""Customers and their pets. Staff register customers and add pets for anyone; a customer
opens their own account and adds their own pets."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import IsShopStaff
from pawpact.api.v1.customers import serializers as s
from pawpact.core.errors import PermissionDenied
from pawpact.customers import services as customers
from pawpact.customers.models import Customer, Pet


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
            owner = own_customer(request)
            if owner is None:
                raise PermissionDenied(_("Only customers and staff can add pets."))
        pet = customers.pet_create(owner=owner, **values)
        return Response(s.PetSerializer(pet).data, status=status.HTTP_201_CREATED)
