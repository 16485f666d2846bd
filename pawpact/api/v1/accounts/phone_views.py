"""Phone-first sign-in for frontends: a texted code instead of an email and a password."""
from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.fields import ObjectField
from pawpact.api.openapi import error_responses
from pawpact.api.serializers import InputSerializer
from pawpact.api.user_agent import device_name
from pawpact.api.v1.accounts import serializers as s
from pawpact.api.v1.accounts.views import lockout_seconds
from pawpact.api.v1.customers.serializers import CustomerSerializer, language_field, phone_field
from pawpact.api.versioning import answered_version
from pawpact.core.http import api_language
from pawpact.customers.phone_sign_in import phone_checked, phone_code_send, phone_sign_in
from pawpact.messaging.verification import verification_sms_send


class PhoneCodeRequestSerializer(InputSerializer):
    phone = phone_field()


class PhoneCodeSentSerializer(serializers.Serializer):
    object = ObjectField("phone_code")
    status = serializers.CharField(
        default="sent",
        help_text=gettext_lazy("Always `sent`, whether or not the number is a customer's here; the code is valid "
                               "10 minutes (in test mode: `GET /sandbox/sms?phone=…` with a staff token)."),
    )  # fmt: skip


class PhoneSignInSerializer(InputSerializer):
    phone = phone_field()
    code = serializers.RegexField(r"^[0-9]{6}$", help_text=gettext_lazy("The six digits texted to the phone."))
    name = serializers.CharField(
        max_length=80, required=False,
        help_text=gettext_lazy("To register a number that is new here (422 `registration_details_required` "
                               "without it); ignored for a known customer."),
    )  # fmt: skip
    birth_date = serializers.DateField(required=False, help_text=gettext_lazy("To register, with `name`."))
    language = language_field(required=False)
    device_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True,
                                        help_text=s.DEVICE_NAME_HELP)  # fmt: skip


class PhoneSignedInSerializer(s.TokenSerializer):
    object = serializers.CharField(default="phone_sign_in", help_text=gettext_lazy("Always `phone_sign_in`."))
    customer = CustomerSerializer()
    created = serializers.BooleanField(help_text=gettext_lazy("True when this sign-in registered the customer."))


class PhoneCodeApi(APIView):
    """Text a sign-in code to a phone number. The answer is the same whether or not the number
    is a customer's here; a number gets at most one text a minute and five a day."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=PhoneCodeRequestSerializer, responses={202: PhoneCodeSentSerializer, **error_responses(400)},
                   auth=[])  # fmt: skip
    def post(self, request):
        data = PhoneCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = data.validated_data["phone"]
        phone_code_send(phone=phone, shop_name=request.tenant.name, sms_send=verification_sms_send)
        return Response(PhoneCodeSentSerializer({}).data, status=status.HTTP_202_ACCEPTED)


class PhoneSignInApi(APIView):
    """Sign in with a phone number and its texted code: a customer of the shop is signed in on
    a new device; a number new here registers with `name` and `birth_date` (201). Wrong codes
    count toward the same lockout as wrong passwords (429)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=PhoneSignInSerializer,
                   responses={200: PhoneSignedInSerializer, 201: PhoneSignedInSerializer,
                              **error_responses(400, 422, 429)}, auth=[])  # fmt: skip
    def post(self, request):
        data = PhoneSignInSerializer(data=request.data)
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
        return _answer(signed)


def _answer(signed) -> Response:
    device = signed.tokens.device
    body = PhoneSignedInSerializer({
        "customer": signed.customer, "created": signed.created, "token": signed.tokens.access_token,
        "token_expires_at": device.access_expires_at, "refresh_token": signed.tokens.refresh_token,
        "refresh_expires_at": device.refresh_expires_at, "device_id": device.uuid,
    }).data  # fmt: skip
    response = Response(body, status=status.HTTP_201_CREATED if signed.created else status.HTTP_200_OK)
    response["Cache-Control"] = "no-store"  # tokens: never kept by a cache
    return response

