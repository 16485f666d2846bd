"""Secret API keys for the shop's own servers, as Stripe has them.

A key is `sk_test_…` or `sk_live_…` followed by 40 random letters and digits; it is shown
once, when made or rolled, and only its SHA-256 and last four characters are stored. It
acts as the owner who made it (their staff permissions) and never expires: revoking it, or
deactivating that owner, stops it at once. Rolling gives the same name a new secret and
revokes the old one in the same transaction.
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pawpact.accounts.errors import ApiKeyLimitReached, ApiKeyNameInvalid
from pawpact.accounts.models import ApiKey, User
from pawpact.accounts.selectors import token_digest
from pawpact.core.api_versions import LATEST as LATEST_API_VERSION
from pawpact.core.clock import Clock, default_clock

PREFIX = "sk_"
TEST_PREFIX, LIVE_PREFIX = "sk_test_", "sk_live_"
SECRET_LENGTH = 40
MAX_KEYS = 20
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str


def api_key_list() -> QuerySet[ApiKey]:
    """The shop's keys still working, newest first."""
    return ApiKey.objects.filter(revoked_at__isnull=True).select_related("user").order_by("-created_at", "-id")


def api_key_by_secret(*, secret: str) -> ApiKey | None:
    """The key this secret is (a revoked one too: the caller says which), its owner loaded."""
    return ApiKey.objects.select_related("user").filter(digest=token_digest(secret)).first()


def _secret(livemode: bool) -> str:
    return (LIVE_PREFIX if livemode else TEST_PREFIX) + "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def _name_valid(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        message = _("Name the key after the system that will hold it (up to 100 characters).")
        raise ApiKeyNameInvalid(message, fields={"name": [message]})
    return name


def api_key_create(*, user: User, name: str, livemode: bool, clock: Clock = default_clock) -> IssuedKey:
    """A new key of the shop's current mode acting as `user` (an owner); its secret is returned once."""
    name = _name_valid(name)
    with transaction.atomic():
        # One shop's keys are counted one request at a time, so two requests cannot pass 20 together.
        list(ApiKey.objects.select_for_update().filter(revoked_at__isnull=True).values_list("pk", flat=True))
        if api_key_list().count() >= MAX_KEYS:
            raise ApiKeyLimitReached(_("This shop already has %(count)d keys: revoke one first.") % {"count": MAX_KEYS})
        secret = _secret(livemode)
        # Pinned now, as Stripe pins a key: a later version never changes what its server reads.
        key = ApiKey.objects.create(
            name=name, livemode=livemode, digest=token_digest(secret), last4=secret[-4:], user=user,
            api_version=LATEST_API_VERSION, created_at=clock.now(),
        )  # fmt: skip
    return IssuedKey(key=key, secret=secret)


def api_key_roll(*, key: ApiKey, user: User, livemode: bool, clock: Clock = default_clock) -> IssuedKey:
    """A new secret under the same name (now acting as `user`); the old secret stops at once."""
    with transaction.atomic():
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        secret = _secret(livemode)
        rolled = ApiKey.objects.create(
            name=key.name, livemode=livemode, digest=token_digest(secret), last4=secret[-4:], user=user,
            api_version=key.api_version, created_at=clock.now(),
        )  # fmt: skip
    return IssuedKey(key=rolled, secret=secret)


def api_key_revoke(*, key: ApiKey, clock: Clock = default_clock) -> None:
    """The key stops working at once; revoking it again changes nothing."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def api_key_touch(*, key: ApiKey, latest_version: str, clock: Clock = default_clock) -> None:
    """Record that the key was used, at most once a minute (one write, not one per call). As
    Stripe pins an account's version at its first call, a key keeps the API version of its
    first call (a rolled key the version of the key it replaced)."""
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= 60 or not key.api_version:
        key.api_version = key.api_version or latest_version
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, api_version=key.api_version)
        key.last_used_at = now
