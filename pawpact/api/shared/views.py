"""The shape the loyalty API's views share (paid membership, coupons, referrals, the points
mall, stored value): the requesting customer or 422 `customer_required`, a body validated
into data or 400, the customer's own active payment method or 404 naming the field, the Idempotency-Key as
the services' request key, and lists whose documented answer is stated by two class
attributes instead of a `get` that only calls its parent."""
import hashlib

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.access import own_customer
from pawpact.api.errors import CustomerRequired, unknown_payment_method
from pawpact.api.idempotency import HEADER
from pawpact.api.openapi import ERRORS
from pawpact.billing.models import PaymentMethod
from pawpact.customers.models import Customer


# No docstring on these bases: the schema would show it as every view's description.
class LoyaltyApi(APIView):
    customer_required_message = gettext_lazy("Only a customer can do this.")

    def customer(self) -> Customer:
        """The customer the token belongs to; a staff token answers 422 `customer_required`."""
        customer = own_customer(self.request)
        if customer is None:
            raise CustomerRequired(str(self.customer_required_message))
        return customer

    def valid(self, serializer_class, **kwargs) -> dict:
        """The request body through `serializer_class`, or 400 naming the fields."""
        data = serializer_class(data=self.request.data, **kwargs)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def request_key(self) -> str:
        """The Idempotency-Key (up to 255 characters) as the services' request key (64)."""
        return hashlib.sha256(self.request.META[HEADER].encode()).hexdigest()

    @staticmethod
    def payment_method(customer: Customer, method_id: int | None) -> PaymentMethod | None:
        """The customer's own active method (None when none was named), else 404 naming the field."""
        if method_id is None:
            return None
        method = PaymentMethod.objects.filter(pk=method_id, customer=customer, is_active=True).first()
        if method is None:
            raise unknown_payment_method(until_2026_12_01=(404, "not_found"))
        return method

    @staticmethod
    def created(data, *, answer=status.HTTP_201_CREATED) -> Response:
        return Response(data, status=answer)


# A paginated list; `list_summary` (and `list_parameters`, query serializers) document its
# GET with `serializer_class` as the rows. No docstring: the schema would show it as every
# list's description.
class LoyaltyListApi(LoyaltyApi, ListAPIView):
    list_summary = ""
    list_parameters: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.list_summary and "get" not in cls.__dict__:
            extend_schema_view(get=extend_schema(
                summary=cls.list_summary, parameters=list(cls.list_parameters) or None,
                responses={200: cls.serializer_class(many=True), **ERRORS},
            ))(cls)  # fmt: skip
