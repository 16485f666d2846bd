"""python-alipay-sdk's client with its RSA2 done by OpenSSL.

The SDK builds Alipay's signed requests and finds the signed part of each answer; we
keep all of that. Its RSA goes through PyCryptodome: about 4 ms to sign and 1 ms to
verify on this project's machines, which alone caps a debit run on two cores near 300
debits a second. OpenSSL, through the `cryptography` package the project already
uses, signs in a quarter of that and verifies twenty times faster. RSASSA-PKCS1-v1_5
is deterministic, so the signatures are byte for byte the SDK's own (tested).
"""

from __future__ import annotations

import base64

from alipay import AliPay
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key


class OpenSSLAliPay(AliPay):
    """`AliPay` for sign_type RSA2, the only one Alipay issues new apps."""

    def _load_key(self):
        self._openssl_private = load_pem_private_key(self._app_private_key_string.encode(), password=None)
        self._openssl_public = load_pem_public_key(self._alipay_public_key_string.encode())

    def _sign(self, unsigned_string: str) -> str:
        signature = self._openssl_private.sign(unsigned_string.encode(), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def _verify(self, raw_content: str, signature: str) -> bool:
        try:
            self._openssl_public.verify(
                base64.b64decode(signature), raw_content.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return False
        return True
