"""What both fake gateways share: an HTTP server in a thread, latency, a rate limit, RSA keys."""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def rsa_key_new() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def rsa2_sign(key: rsa.RSAPrivateKey, text: str) -> str:
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(key: rsa.RSAPublicKey, text: str, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


def local_request(url: str, *, data: bytes | None = None, headers: dict | None = None) -> urllib.request.Request:
    """A request to `url`; a shop's *.localhost host is reached on 127.0.0.1 under its own
    Host header (the name resolves in a browser, not always in a resolver)."""
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers or {})
    if (parts.hostname or "").endswith(".localhost"):
        headers["Host"] = parts.netloc
        url = parts._replace(netloc=f"127.0.0.1:{parts.port or 80}").geturl()
    return urllib.request.Request(url, data=data, headers=headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer here (a shop's page sending a visitor on, a signing page back)."""

    def redirect_request(self, *args, **kwargs):
        return None


def local_status(request: urllib.request.Request, *, timeout: float = 10) -> int:
    """The HTTP status the request was answered with (redirects not followed); 0 when nobody answered."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def notification_post(url: str, fields: dict[str, str], *, timeout: float = 10) -> int:
    """POST a form notification to the merchant, as a provider's servers do; the HTTP status,
    0 when nobody answered."""
    if not url:
        return 0
    body = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return local_status(local_request(url, data=body, headers=headers), timeout=timeout)


def notification_post_json(url: str, body: str, headers: dict[str, str], *, timeout: float = 10) -> int:
    """POST a JSON notification (WeChat Pay's) with its signature headers; the HTTP status, 0 when nobody answered."""
    if not url:
        return 0
    headers = {**headers, "Content-Type": "application/json"}
    return local_status(local_request(url, data=body.encode(), headers=headers), timeout=timeout)


class RateWindow:
    """Requests in the last second; counts those over the limit and the highest rate seen."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.refused = 0
        self.max_per_second = 0
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._times and self._times[0] <= now - 1.0:
                self._times.popleft()
            if self.limit is not None and len(self._times) >= self.limit:
                self.refused += 1
                return False
            self._times.append(now)
            self.max_per_second = max(self.max_per_second, len(self._times))
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a caller that hung up (a killed debit run): nothing to report
        super().handle_error(request, client_address)


class FakeGateway:
    """Serves `handle(request_handler, method)` on a free port of 127.0.0.1."""

    def __init__(self, *, latency_seconds: float = 0.0, rate_limit: float | None = None) -> None:
        self.latency_seconds = latency_seconds
        self.rate = RateWindow(rate_limit)
        # "500": refuse before acting; "drop": act, then hang up; "limit": refuse as over the rate limit
        self.fail_next: list[str] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the gateway first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, as a real server sends them

            def do_GET(self):
                gateway.dispatch(self, "GET")

            def do_POST(self):
                gateway.dispatch(self, "POST")

            def do_DELETE(self):
                gateway.dispatch(self, "DELETE")

            def log_message(self, *args):
                pass

        self._server = _Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def injected_failure(self) -> str:
        with self._lock:
            return self.fail_next.pop(0) if self.fail_next else ""

    def dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if handler.path == "/__stats":  # for benchmarks running the gateway in another process
            self.send(handler, 200, json.dumps(self.stats()).encode(), {})
            return
        # Counted on arrival, as a provider's edge counts them: the latency below would
        # otherwise bunch requests that arrived evenly.
        handler.admitted = self.rate.admit()
        failure = self.injected_failure()
        if failure == "limit":
            handler.admitted = False
        if failure == "500":
            self.send(handler, 500, b'{"code":"SYSTEM_ERROR","message":"injected"}', {})
            return
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        status, payload, headers = self.handle(handler, method, body)
        if failure == "drop":
            handler.close_connection = True  # acted, but the caller never hears it
            return
        self.send(handler, status, payload, headers)

    def handle(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> tuple[int, bytes, dict]:
        raise NotImplementedError

    def stats(self) -> dict:
        return {"max_per_second": self.rate.max_per_second, "refused": self.rate.refused}

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, payload: bytes, headers: dict) -> None:
        handler.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if payload:
            handler.wfile.write(payload)
