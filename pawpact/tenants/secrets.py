"""Every secret stored at rest, encrypted (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`):
shops' provider credentials, partner warehouses' HMAC secrets, any field listed in
settings.PAWPACT_ENCRYPTED_FIELDS.

One setting holds the keys, from the environment, never from the database:

    PAWPACT_SECRET_KEYS="<newest>,<older>,..."   Fernet keys (Fernet.generate_key())

The first key encrypts; every key listed decrypts, so a key is rotated by putting a new
one first, running `manage.py secrets_rotate` (re-encrypts every encrypted field with the
first key), then dropping the old one. Without PAWPACT_SECRET_KEYS the key is derived
from SECRET_KEY, which a checkout generates for itself and production takes from the
environment. Values written before the keys were unified (warehouse secrets under their
own derived key) stay readable, and `secrets_rotate` moves them to the first key.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(RuntimeError):
    """A stored secret no configured key opens (a key was dropped before rotating)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(f"pawpact-secrets:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _legacy_warehouse_key() -> bytes:
    # Warehouse secrets were once encrypted under a key of their own, derived like this.
    return base64.urlsafe_b64encode(hashlib.sha256(b"pawpact.warehouses.secret:" + settings.SECRET_KEY.encode()).digest())


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in getattr(settings, "PAWPACT_SECRET_KEYS", []) if key.strip()]
    fernets = [Fernet(key) for key in keys] or [Fernet(_derived_key())]
    return MultiFernet([*fernets, Fernet(_legacy_warehouse_key())])


def text_encrypt(value: str) -> str:
    """One secret string (a partner's HMAC secret), encrypted with the first key."""
    return _fernet().encrypt(value.encode()).decode()


def text_decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no configured key decrypts this secret (PAWPACT_SECRET_KEYS)") from None


def secret_encrypt(values: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def secret_decrypt(ciphertext: str) -> dict[str, str]:
    try:
        return json.loads(_fernet().decrypt(ciphertext.encode()))
    except InvalidToken:
        raise SecretUnreadable("no configured key decrypts this secret (PAWPACT_SECRET_KEYS)") from None


def secret_rotate(ciphertext: str) -> str:
    """The same secret, encrypted with the first (newest) key."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no configured key decrypts this secret (PAWPACT_SECRET_KEYS)") from None


def secret_fingerprint(values: dict[str, str]) -> str:
    """Which secret it is, without telling it: the first 12 hex digits of a keyed hash."""
    blob = json.dumps(values, sort_keys=True).encode()
    return hashlib.blake2b(blob, key=_derived_key()[:32], digest_size=6).hexdigest()
