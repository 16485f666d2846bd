"""Signing in to the API, one device at a time.

A sign-in creates an `ApiDevice` with two secrets: an access token (sent on every call,
valid `PAWPACT_API_ACCESS_TTL`) and a refresh token (exchanged at `/auth/refresh` for a new
pair, valid `PAWPACT_API_REFRESH_TTL`). Only their SHA-256 digests are stored, so a leaked
database does not sign anyone in. A refresh token is good for one exchange: presenting an
exchanged one again means two parties hold it, and the device is revoked.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.errors import RefreshTokenInvalid, RefreshTokenReused, WeChatAlreadyLinked
from pawpact.accounts.models import ApiDevice, ApiRetiredRefresh, User, WeChatIdentity
from pawpact.accounts.selectors import token_digest
from pawpact.core.clock import Clock, default_clock

TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedTokens:
    device: ApiDevice
    access_token: str
    refresh_token: str


def _new_pair(device: ApiDevice, now: datetime) -> tuple[str, str]:
    access, refresh = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
    device.access_digest, device.refresh_digest = token_digest(access), token_digest(refresh)
    device.access_expires_at = now + settings.PAWPACT_API_ACCESS_TTL
    device.refresh_expires_at = now + settings.PAWPACT_API_REFRESH_TTL
    device.last_used_at = now
    return access, refresh


def api_device_sign_in(*, user: User, name: str = "", api_version: str = "", clock: Clock = default_clock) -> IssuedTokens:
    """A new device for `user` with a fresh access and refresh token, pinned to `api_version`."""
    now = clock.now()
    device = ApiDevice(uuid=uuid.uuid4(), user=user, name=name, api_version=api_version, created_at=now)
    access, refresh = _new_pair(device, now)
    device.save()
    return IssuedTokens(device=device, access_token=access, refresh_token=refresh)


def api_token_issue(*, user: User, name: str = "", clock: Clock = default_clock) -> str:
    """A new device's access token: for server-side callers that need one token only."""
    return api_device_sign_in(user=user, name=name, clock=clock).access_token


def api_device_refresh(*, refresh_token: str, clock: Clock = default_clock) -> IssuedTokens:
    """Rotate a device's tokens. A refresh token exchanged before revokes its device: the
    revocation is written in its own transaction, so the refusal that follows keeps it."""
    now, digest = clock.now(), token_digest(refresh_token)
    retired = ApiRetiredRefresh.objects.filter(digest=digest).first()
    if retired is not None:
        ApiDevice.objects.filter(pk=retired.device_id, revoked_at__isnull=True).update(revoked_at=now)
        raise RefreshTokenReused(
            _("This refresh token was already used, so this device was signed out: sign in again.")
        )
    with transaction.atomic():
        device = ApiDevice.objects.select_for_update().select_related("user").filter(refresh_digest=digest).first()
        if device is None or device.revoked_at is not None or device.refresh_expires_at <= now:
            raise RefreshTokenInvalid(_("This refresh token is not valid: sign in again."))
        if not device.user.is_active:
            raise RefreshTokenInvalid(_("This refresh token is not valid: sign in again."))
        ApiRetiredRefresh.objects.create(digest=digest, device=device, retired_at=now)
        access, refresh = _new_pair(device, now)
        device.save()
    return IssuedTokens(device=device, access_token=access, refresh_token=refresh)


def api_device_revoke(*, device: ApiDevice, clock: Clock = default_clock) -> None:
    """Sign one device out: its access and refresh tokens stop working."""
    ApiDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def api_token_revoke(*, user: User, clock: Clock = default_clock) -> int:
    """Sign the user out on every device (a password change, a lost phone). The count revoked."""
    return ApiDevice.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())


def api_device_touch(*, device: ApiDevice, clock: Clock = default_clock) -> None:
    """Record that the device was used, at most once a minute (one write, not one per call)."""
    now = clock.now()
    if (now - device.last_used_at).total_seconds() >= 60:
        ApiDevice.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now


def wechat_identity_link(*, user: User, openid: str, unionid: str = "") -> WeChatIdentity:
    """Link a WeChat user to `user`, so their mini-program signs in with `wx.login` alone."""
    existing = WeChatIdentity.objects.filter(openid=openid).first()
    if existing is not None and existing.user_id != user.pk:
        raise WeChatAlreadyLinked(_("This WeChat account is already linked to another login of this shop."))
    try:
        with transaction.atomic():
            identity, _created = WeChatIdentity.objects.update_or_create(
                user=user, defaults={"openid": openid, "unionid": unionid}
            )
    except IntegrityError:
        raise WeChatAlreadyLinked(_("This WeChat account is already linked to another login of this shop.")) from None
    return identity
