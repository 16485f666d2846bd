"""API tokens and the people behind them: who I am, and the shop's staff."""
from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.accounts.selectors import staff_list
from pawpact.accounts.services import api_token_issue, api_token_revoke
from pawpact.api.errors import BadCredentials
from pawpact.api.openapi import error_responses
from pawpact.api.serializers import ErrorSerializer
from pawpact.api.v1.accounts import serializers as s


class TokenCreateApi(APIView):
    """Exchange a staff member's or customer's email and password for an API token of this shop."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.TokenRequestSerializer, responses={200: s.TokenSerializer, **error_responses(400, 401)}, auth=[])
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # allauth's failed-login limit (per address and per account) guards this door too.
            user = get_adapter(request).authenticate(
                request, email=data.validated_data["email"], password=data.validated_data["password"]
            )
        except DjangoValidationError as error:
            raise Throttled(detail=error.messages[0]) from None
        if user is None or not user.is_active:
            raise BadCredentials(_("Email or password is wrong."))
        return Response(s.TokenSerializer({"token": api_token_issue(user=user)}).data)


class TokenRevokeApi(APIView):
    """Sign out of the API: the token in the request stops working on every device."""

    @extend_schema(summary="Sign out (revoke this token)", request=None, responses={204: None, **error_responses(401)})
    def post(self, request):
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeDetailApi(APIView):
    @extend_schema(responses={200: s.MeSerializer, 401: ErrorSerializer})
    def get(self, request):
        return Response(s.MeSerializer(request.user).data)


class StaffListApi(ListAPIView):
    """This shop's staff members, newest first; staff only."""

    permission_classes = [IsAdminUser]
    serializer_class = s.StaffSerializer

    def get_queryset(self):
        return staff_list()

    @extend_schema(responses={200: s.StaffSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
