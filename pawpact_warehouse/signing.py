"""HMAC-SHA256 request signatures, as the protocol states them (the warehouse's side)."""
import hashlib
import hmac
import secrets
import threading
import time

SKEW_SECONDS = 300
NONCE_MEMORY_SECONDS = 600


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body or b"").hexdigest()
    return "\n".join((method.upper(), path, timestamp, nonce, digest)).encode()


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), canonical(method, path, timestamp, nonce, body), hashlib.sha256)
    return "v1=" + mac.hexdigest()


def headers_for(key_id: str, secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(18)
    return {
        "X-Pawpact-Key": key_id,
        "X-Pawpact-Timestamp": timestamp,
        "X-Pawpact-Nonce": nonce,
        "X-Pawpact-Signature": signature(secret, method, path, timestamp, nonce, body),
        "Content-Type": "application/json",
    }


class Verifier:
    """Checks incoming requests; remembers nonces for ten minutes to refuse replays."""

    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id, self.secret = key_id, secret
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def problem(self, environ: dict, method: str, path: str, body: bytes) -> str | None:
        """None when the request is signed correctly, else the error code."""
        key = environ.get("HTTP_X_PAWPACT_KEY", "")
        timestamp = environ.get("HTTP_X_PAWPACT_TIMESTAMP", "")
        nonce = environ.get("HTTP_X_PAWPACT_NONCE", "")
        given = environ.get("HTTP_X_PAWPACT_SIGNATURE", "")
        if not (key and timestamp and nonce and given) or key != self.key_id:
            return "unsigned"
        expected = signature(self.secret, method, path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, given):
            return "bad_signature"
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            return "bad_signature"
        if skew > SKEW_SECONDS:
            return "stale_timestamp"
        now = time.time()
        with self._lock:
            self._seen = {n: t for n, t in self._seen.items() if t > now - NONCE_MEMORY_SECONDS}
            if nonce in self._seen:
                return "replayed"
            self._seen[nonce] = now
        return None
