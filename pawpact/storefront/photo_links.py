"""Links that let the warehouse fetch a reship's photos: the warehouse has no session on the
shop's host, so each photo gets a signed, time-limited address of its own.

A link names one photo of one shop and is signed with Django's signing (HMAC-SHA256 with the
site's secret key, salted for this use). It is the same every time the reship is sent
(expiry counted from the reship's creation): the warehouse answers a resend with the
original only when the body is byte-for-byte the same. A link opened on another shop's
host, a changed or foreign token, an expired one: no file."""
from datetime import datetime, timedelta

from django.core import signing
from django.db import connection
from django.urls import reverse

from pawpact.core.links import site_url

LINK_LIFETIME = timedelta(days=7)
SALT = "pawpact.storefront.reship-photo"


class PhotoLinkRefused(Exception):
    """Why a link serves nothing: `status` 403 (forged or expired) or 404 (not this shop's)."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code


def photo_token(*, schema_name: str, request_uuid, photo_id: int, expires_at: datetime) -> str:
    payload = {"s": schema_name, "r": str(request_uuid), "p": photo_id, "e": int(expires_at.timestamp())}
    # No signing time in the token (Signer, not TimestampSigner): the expiry is in the payload.
    return signing.Signer(salt=SALT).sign_object(payload)


def photo_links(*, host: str, request_uuid, photo_ids: list[int], created_at: datetime) -> list[str]:
    """Absolute links to the photos, for the warehouse; call in the shop's schema."""
    expires_at = created_at + LINK_LIFETIME
    return [site_url(host, reverse("storefront:warehouse_reship_photo", args=[photo_token(
        schema_name=connection.schema_name, request_uuid=request_uuid, photo_id=photo_id, expires_at=expires_at)]))
        for photo_id in photo_ids]  # fmt: skip


def photo_token_read(token: str, *, now: datetime) -> tuple[str, int]:
    """(request uuid, photo id) a token grants in the current shop's schema, or PhotoLinkRefused."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        raise PhotoLinkRefused(403, "bad_signature") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int) or not isinstance(payload.get("e"), int):
        raise PhotoLinkRefused(403, "bad_signature")
    if payload.get("s") != connection.schema_name:
        raise PhotoLinkRefused(404, "not_found")
    if payload["e"] <= now.timestamp():
        raise PhotoLinkRefused(403, "link_expired")
    return str(payload.get("r")), payload["p"]
