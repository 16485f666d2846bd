"""API tokens and the people behind them: who I am, and the shop's staff."""
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.accounts.selectors import staff_list
from pawpact.accounts.services import api_token_issue
from pawpact.api.serializers import ErrorSerializer
from pawpact.api.v1.accounts import serializers as s
from pawpact.core.errors import ValidationFailed


class TokenCreateApi(APIView):
    """Exchange a staff member's or customer's email and password for an API token of this shop."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=s.TokenRequestSerializer, responses={200: s.TokenSerializer, 400: ErrorSerializer}, auth=[])
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, email=data.validated_data["email"], password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise ValidationFailed(_("Email or password is wrong."), code="bad_credentials")
        return Response(s.TokenSerializer({"token": api_token_issue(user=user)}).data)


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

    @extend_schema(responses={200: s.StaffSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
