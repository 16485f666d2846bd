"""Request signatures of the warehouse protocol (docs/warehouse-protocol.md), Pawpact's side.

HMAC-SHA256 over METHOD, PATH (with query), TIMESTAMP, NONCE and the body's SHA-256;
timestamps more than five minutes off are refused, and a nonce seen in the last ten
minutes is a replay. Nonces are remembered in the cache (`cache.add` is atomic).
"""
import hashlib
import hmac
import re
import secrets
import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from pawpact.warehouses.errors import ReplayedRequest, SignatureRefused, StaleTimestamp, UnsignedRequest

SKEW_SECONDS = 300
NONCE_SECONDS = 600
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HEADERS = ("X-Pawpact-Key", "X-Pawpact-Timestamp", "X-Pawpact-Nonce", "X-Pawpact-Signature")


def canonical_string(*, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join((method.upper(), path, timestamp, nonce, hashlib.sha256(body or b"").hexdigest())).encode()


def signature_make(*, secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = canonical_string(method=method, path=path, timestamp=timestamp, nonce=nonce, body=body)
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(*, key_id: str, secret: str, method: str, path: str, body: bytes, now: float | None = None) -> dict:
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_urlsafe(18)
    return {
        "X-Pawpact-Key": key_id,
        "X-Pawpact-Timestamp": timestamp,
        "X-Pawpact-Nonce": nonce,
        "X-Pawpact-Signature": signature_make(
            secret=secret, method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
        ),
    }


def signature_verify(*, key_id: str, secret: str, method: str, path: str, body: bytes, headers, now: float | None = None):
    """Raise SignatureRefused (401) unless `headers` sign this request freshly, for the first time."""
    given = {name: (headers.get(name) or "") for name in HEADERS}
    if not all(given.values()) or not hmac.compare_digest(given["X-Pawpact-Key"], key_id):
        raise UnsignedRequest(_("The request is not signed."))
    timestamp, nonce = given["X-Pawpact-Timestamp"], given["X-Pawpact-Nonce"]
    expected = signature_make(secret=secret, method=method, path=path, timestamp=timestamp, nonce=nonce, body=body)
    if not hmac.compare_digest(expected, given["X-Pawpact-Signature"]) or not NONCE.match(nonce):
        raise SignatureRefused(_("The signature does not match."))
    try:
        skew = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        raise StaleTimestamp(_("The timestamp is not a number.")) from None
    if skew > SKEW_SECONDS:
        raise StaleTimestamp(_("The timestamp is more than five minutes off."))
    if not cache.add(f"warehouse-nonce:{key_id}:{nonce}", 1, NONCE_SECONDS):
        raise ReplayedRequest(_("This request was already received."))
