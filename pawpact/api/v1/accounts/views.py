"""Signing in per device (password, refresh, WeChat mini-program), signing out, the devices
signed in, and the people behind them: who I am, and the shop's staff."""

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.accounts.api_keys import api_key_create, api_key_list, api_key_revoke, api_key_roll
from pawpact.accounts.errors import WeChatNotLinked
from pawpact.accounts.models import ApiDevice, ApiKey, ApiOrigin
from pawpact.accounts.origins import api_origin_add, api_origin_list, api_origin_remove
from pawpact.accounts.selectors import api_device_list, staff_list, wechat_user
from pawpact.accounts.services import (
    api_device_refresh,
    api_device_revoke,
    api_device_sign_in,
    api_token_revoke,
    wechat_identity_link,
)
from pawpact.api.errors import ApiKeyNotAllowed, BadCredentials
from pawpact.api.idempotency import idempotent
from pawpact.api.lockout import lockout_seconds
from pawpact.api.openapi import error_responses
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import staff_may
from pawpact.api.serializers import ErrorSerializer, TokenSerializer
from pawpact.api.sign_in import signed_in, signed_in_customer
from pawpact.api.user_agent import device_name
from pawpact.api.v1.accounts import serializers as s
from pawpact.api.versioning import answered_version
from pawpact.api.wechat import code2session
from pawpact.tenants.modes import current_livemode


def _tokens(issued) -> Response:
    return signed_in(issued, customer=signed_in_customer(issued.device.user))


def _device_name(request, given: str, *, fallback: str = "") -> str:
    return device_name(given, request.META.get("HTTP_USER_AGENT", ""), fallback=fallback)


class TokenCreateApi(APIView):
    """Sign a staff member or customer of this shop in on one device: an access token (valid two
    hours) and a refresh token (valid 30 days, one exchange each) for that device."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        request=s.TokenRequestSerializer, responses={200: TokenSerializer, **error_responses(400, 401)}, auth=[]
    )
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # allauth's failed-login limit (per address and per account) guards this door too.
            user = get_adapter(request).authenticate(
                request, email=data.validated_data["email"], password=data.validated_data["password"]
            )
        except DjangoValidationError as error:
            raise Throttled(detail=error.messages[0], wait=lockout_seconds()) from None
        if user is None or not user.is_active:
            raise BadCredentials(_("Email or password is wrong."))
        return _tokens(
            api_device_sign_in(
                user=user, name=_device_name(request, data.validated_data["device_name"]),
                api_version=answered_version(request),
            )
        )


class TokenRefreshApi(APIView):
    """Exchange a device's refresh token for a new access and refresh token. Each refresh token
    works once: presenting one that was already exchanged signs that device out."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        request=s.RefreshRequestSerializer, responses={200: TokenSerializer, **error_responses(400, 401)}, auth=[]
    )
    def post(self, request):
        data = s.RefreshRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _tokens(api_device_refresh(refresh_token=data.validated_data["refresh_token"]))


class WeChatLoginApi(APIView):
    """Sign in from a WeChat mini-program with the code of `wx.login()`. The WeChat user must
    have been linked to a login of this shop once (`/auth/wechat/link`), else 401
    `wechat_not_linked`. The shop's mini-program answers (its app id and AppSecret, verified by
    the platform); a test-mode shop without one takes the sandbox's codes (`wx_test_<anything>`),
    which live mode refuses (422 `sandbox_in_live_mode`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        request=s.WeChatLoginSerializer, responses={200: TokenSerializer, **error_responses(400, 401, 422, 503)}, auth=[]
    )
    def post(self, request):
        data = s.WeChatLoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = code2session(code=data.validated_data["code"])
        user = wechat_user(openid=session["openid"])
        if user is None or not user.is_active:
            raise WeChatNotLinked(_("This WeChat account is not linked to a login of this shop yet."))
        name = _device_name(request, data.validated_data["device_name"], fallback="WeChat")
        return _tokens(api_device_sign_in(user=user, name=name, api_version=answered_version(request)))


class WeChatLinkApi(APIView):
    """Link the signed-in user's WeChat account (a fresh `wx.login()` code), so the mini-program
    signs them in with `/auth/wechat` from then on."""

    @extend_schema(request=s.WeChatLinkSerializer, responses={204: None, **error_responses(400, 401, 409, 422, 503)})
    def post(self, request):
        data = s.WeChatLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = code2session(code=data.validated_data["code"])
        wechat_identity_link(user=request.user, openid=session["openid"], unionid=session["unionid"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeApi(APIView):
    """Sign out of the API on this device: its access and refresh tokens stop working."""

    @extend_schema(summary=gettext_lazy("Sign out (revoke this device)"), request=None, responses={204: None, **error_responses(401)})
    def post(self, request):
        if isinstance(request.auth, ApiDevice):
            api_device_revoke(device=request.auth)
        else:
            api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceListApi(APIView):
    """The devices you are signed in on, most recently used first."""

    @extend_schema(responses={200: one_page_of(s.DeviceSerializer), **error_responses(401)})
    def get(self, request):
        context = {"request": request, "current": request.auth}
        return one_page(s.DeviceSerializer(api_device_list(user=request.user), many=True, context=context).data)


class DeviceRevokeApi(APIView):
    @extend_schema(summary=gettext_lazy("Sign one of your devices out"), responses={204: None, **error_responses(401, 404)})
    def delete(self, request, device_id):
        api_device_revoke(device=get_object_or_404(api_device_list(user=request.user), uuid=device_id))
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


class ApiOriginListApi(ListAPIView):
    """The web origins whose pages may call this shop's API from a browser (CORS); owner only.
    None by default: add your H5 frontend's origin before calling the API from its pages."""

    permission_classes = [staff_may("settings")]
    serializer_class = s.ApiOriginSerializer

    def get_queryset(self):
        return api_origin_list()

    @extend_schema(summary=gettext_lazy("Allowed browser origins (owner)"), responses={200: s.ApiOriginSerializer(many=True),
                   **error_responses(400, 401, 403)})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Allow a browser origin (owner)"), request=s.ApiOriginInputSerializer,
                   responses={201: s.ApiOriginSerializer, **error_responses(400, 401, 403, 409, 422)})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        data = s.ApiOriginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = api_origin_add(origin=data.validated_data["origin"])
        return Response(s.ApiOriginSerializer(created).data, status=status.HTTP_201_CREATED)


class ApiOriginDetailApi(APIView):
    permission_classes = [staff_may("settings")]

    @extend_schema(
        summary=gettext_lazy("Stop allowing a browser origin (owner)"), responses={204: None, **error_responses(401, 403, 404)}
    )
    def delete(self, request, origin_id):
        api_origin_remove(api_origin=get_object_or_404(ApiOrigin, uuid=origin_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# The shop's secret API keys (owner): list, make, roll, revoke. A key is shown whole once, in
# the answer that made it; these answers are `no-store` and never kept for idempotent replay, so
# the secret exists nowhere but on the caller's side. Keys are managed by an owner signed in on
# a device: a key cannot make or roll keys, so a leaked key revoked stays revoked.
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

    @extend_schema(
        summary=gettext_lazy("Secret API keys (owner)"), responses={200: one_page_of(s.ApiKeySerializer), **error_responses(401, 403)}
    )
    def get(self, request):
        return one_page(s.ApiKeySerializer(api_key_list(), many=True).data)

    @extend_schema(summary=gettext_lazy("Make a secret API key, shown this once (owner)"), request=s.ApiKeyInputSerializer,
                   responses={201: s.ApiKeyCreatedSerializer, **error_responses(400, 401, 403, 422)})  # fmt: skip
    def post(self, request):
        data = s.ApiKeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.secret(
            api_key_create(user=request.user, name=data.validated_data["name"], livemode=current_livemode())
        )


class ApiKeyRollApi(KeyManagementApi):
    @extend_schema(summary=gettext_lazy("Roll a secret API key: a new secret, the old one stops now (owner)"), request=None,
                   responses={201: s.ApiKeyCreatedSerializer, **error_responses(401, 403, 404)})  # fmt: skip
    def post(self, request, key_id):
        key = get_object_or_404(api_key_list(), uuid=key_id)
        return self.secret(api_key_roll(key=key, user=request.user, livemode=current_livemode()))


class ApiKeyDetailApi(KeyManagementApi):
    @extend_schema(summary=gettext_lazy("Revoke a secret API key (owner)"), responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, key_id):
        api_key_revoke(key=get_object_or_404(api_key_list(), uuid=key_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
