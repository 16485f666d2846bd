from django.contrib.auth import authenticate
from django.db import connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.accounts.selectors import staff_list
from pawpact.accounts.services import api_token_issue
from pawpact.api.v1.serializers import (
    ErrorSerializer,
    HealthSerializer,
    MeSerializer,
    StaffSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from pawpact.core.errors import NotFound, ValidationFailed


class HealthApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HealthSerializer}, auth=[], summary="Is this shop's API up?")
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database = cursor.fetchone() == (1,)
        return Response(HealthSerializer({"status": "ok", "shop": request.tenant.slug, "database": database}).data)


class TokenCreateApi(APIView):
    """Exchange a staff member's or customer's email and password for an API token of this shop."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer, 400: ErrorSerializer}, auth=[])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, email=data.validated_data["email"], password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise ValidationFailed(_("Email or password is wrong."), code="bad_credentials")
        return Response(TokenSerializer({"token": api_token_issue(user=user)}).data)


class MeApi(APIView):
    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class StaffListApi(ListAPIView):
    """This shop's staff members, newest first; staff only."""

    permission_classes = [IsAdminUser]
    serializer_class = StaffSerializer

    def get_queryset(self):
        return staff_list()

    @extend_schema(responses={200: StaffSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(exclude=True)
class NotFoundApi(APIView):
    """Every address under /api/v1/ that no route matches, a malformed id included:
    a 404 in the API's error shape (not the site's HTML page), for any method and
    before authentication, so it tells nothing about what exists."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(_("Not found."))
