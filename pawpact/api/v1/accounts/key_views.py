"""The shop's secret API keys (owner): list, make, roll, revoke. A key is shown whole once,
in the answer that made it; these answers are `no-store` and never kept for idempotent
replay, so the secret exists nowhere but on the caller's side. Keys are managed by an owner
signed in on a device: a key cannot make or roll keys, so a leaked key revoked stays revoked."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.accounts.api_keys import api_key_create, api_key_list, api_key_revoke, api_key_roll
from pawpact.accounts.models import ApiKey
from pawpact.api.errors import ApiKeyNotAllowed
from pawpact.api.openapi import error_responses
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import staff_may
from pawpact.api.v1.accounts import serializers as s
from pawpact.tenants.modes import current_livemode


class KeyManagementApi(APIView):
    permission_classes = (staff_may("settings"),)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiKey) and request.method != "GET":
            raise ApiKeyNotAllowed(_("Secret keys are made and revoked by an owner signed in, not by a key."))

    @staticmethod
    def secret(issued) -> Response:
        issued.key.secret = issued.secret
        response = Response(s.ApiKeyCreatedSerializer(issued.key).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyListApi(KeyManagementApi):
    """Secret keys for the shop's servers (owner): `Authorization: Bearer sk_…` acts with the owner's
    staff permissions until revoked. Listed with their last four characters only."""

    @extend_schema(summary="Secret API keys (owner)", responses={200: one_page_of(s.ApiKeySerializer), **error_responses(401, 403)})
    def get(self, request):
        return one_page(s.ApiKeySerializer(api_key_list(), many=True).data)

    @extend_schema(summary="Make a secret API key, shown this once (owner)", request=s.ApiKeyInputSerializer,
                   responses={201: s.ApiKeyCreatedSerializer, **error_responses(400, 401, 403, 422)})  # fmt: skip
    def post(self, request):
        data = s.ApiKeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.secret(api_key_create(user=request.user, name=data.validated_data["name"], livemode=current_livemode()))


class ApiKeyRollApi(KeyManagementApi):
    @extend_schema(summary="Roll a secret API key: a new secret, the old one stops now (owner)", request=None,
                   responses={201: s.ApiKeyCreatedSerializer, **error_responses(401, 403, 404)})  # fmt: skip
    def post(self, request, key_id):
        key = get_object_or_404(api_key_list(), uuid=key_id)
        return self.secret(api_key_roll(key=key, user=request.user, livemode=current_livemode()))


class ApiKeyDetailApi(KeyManagementApi):
    @extend_schema(summary="Revoke a secret API key (owner)", responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, key_id):
        api_key_revoke(key=get_object_or_404(api_key_list(), uuid=key_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
