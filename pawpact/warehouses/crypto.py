"""The warehouses' HMAC secrets, encrypted at rest with Fernet (AES-128-CBC + HMAC).

The key is PAWPACT_FIELD_ENCRYPTION_KEY when set (a Fernet key; a comma-separated list
rotates: the first encrypts, all decrypt), else derived from SECRET_KEY.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    configured = [key.strip() for key in getattr(settings, "PAWPACT_FIELD_ENCRYPTION_KEY", "").split(",") if key.strip()]
    if not configured:
        derived = hashlib.sha256(b"pawpact.warehouses.secret:" + settings.SECRET_KEY.encode()).digest()
        configured = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key) for key in configured])


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
