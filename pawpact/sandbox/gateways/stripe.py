"""A local fake of the Stripe API calls Pawpact makes, for test mode and tests.

Real HTTP on 127.0.0.1 (a free port, a thread), so the real stripe client, its
encoding, headers and error mapping are exercised; nothing touches the network.

  POST /v1/customers, POST /v1/setup_intents, GET /v1/payment_methods/<id>,
  GET /v1/accounts/<id> (a connected account of `accounts`),
  POST /v1/payment_intents (off-session, confirm=true), POST /v1/refunds,
  POST /v1/transfers, POST /v1/payouts,
  GET /v1/balance_transactions (created[gte|gt|lt|lte], type, limit, starting_after,
  ending_before, expand[]=data.source) and GET /v1/balance_transactions/<id>

Requests authenticate as at Stripe, with a bearer secret key: a test key (sk_test_…),
one of `secret_keys` when that is set; anything else is answered 401. Every POST
honours the Idempotency-Key header like Stripe: the same key answers the first
response again (and a different request under the same key is an error).
`payment_intents_created` counts the charges really processed. Each succeeded
charge, refund, transfer and payout books a balance transaction, as Stripe does.
"""
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from pawpact.sandbox.gateways.state import PersistentState
from pawpact.sandbox.gateways.stripe_balance import StripeBalance, error_body

# Stripe's test payment methods: brand, last4, (error code, decline code) when declined.
PAYMENT_METHODS = {
    "pm_card_visa": ("visa", "4242", None),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", ("card_declined", "insufficient_funds")),
    "pm_card_chargeDeclinedExpiredCard": ("visa", "0069", ("expired_card", "expired_card")),
}


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def _nested(form: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (metadata[k]=v, payment_method_types[0]=card) back into a dict."""
    data: dict = {}
    for key, value in form:
        if "[" in key:
            name, _bracket, inner = key.partition("[")
            inner = inner.rstrip("]")
            if inner.isdigit():
                data.setdefault(name, []).append(value)
            else:
                data.setdefault(name, {})[inner] = value
        else:
            data[key] = value
    return data


class FakeStripe(PersistentState, StripeBalance):
    # What a restart keeps (pawpact.sandbox.gateways.state): every object and idempotency key.
    STATE_FIELDS = ("customers", "setup_intents", "payment_intents", "attached", "idempotent", "accounts",
                    "payment_intents_created", "charges", "refunds", "transfers", "payouts",
                    "balance_transactions")  # fmt: skip

    def __init__(self, *, secret_keys: set[str] | None = None) -> None:
        super().__init__()
        self.secret_keys = secret_keys
        self.customers: dict[str, dict] = {}
        self.setup_intents: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.attached: dict[str, str] = {}  # payment method → customer
        self.idempotent: dict[str, tuple[str, int, dict]] = {}  # key → (request hash, status, body)
        self.payment_intents_created = 0
        self.accounts: dict[str, dict] = {}  # connected accounts: id → {"payouts_enabled": …}
        self.requests: list[tuple[str, str]] = []
        self.latency_seconds = 0.0  # answer payment intents late (after recording them), to cause timeouts
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- life cycle ---

    def start(self, port: int = 0) -> "FakeStripe":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what Stripe.js would do in the customer's browser ---

    def setup_confirm(self, setup_intent_id: str, payment_method: str) -> None:
        with self._lock:
            intent = self.setup_intents[setup_intent_id]
            intent.update(status="succeeded", payment_method=payment_method)
            self.attached[payment_method] = intent["customer"]
        self.state_save()

    def event(self, event_type: str, intent_id: str, *, event_id: str | None = None) -> dict:
        """The webhook event Stripe would send about a payment intent."""
        return {
            "id": event_id or _new_id("evt"),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": dict(self.payment_intents[intent_id])},
        }

    # --- HTTP ---

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        path = request.path.split("?")[0]
        self.requests.append((method, path))
        refused = self._auth_refusal(request.headers.get("Authorization", ""))
        if refused:
            return self._send(request, 401, _error("invalid_request_error", refused))
        if method == "GET":
            query = parse_qsl(urlsplit(request.path).query, keep_blank_values=True)
            if path.startswith("/v1/payment_methods/"):
                return self._send(request, *self._payment_method_get(path.rsplit("/", 1)[1]))
            if path.startswith("/v1/accounts/"):
                return self._send(request, *self._account_get(path.rsplit("/", 1)[1]))
            if path == "/v1/balance_transactions":
                return self._send(request, *self.balance_transactions_list(query))
            if path.startswith("/v1/balance_transactions/"):
                return self._send(request, *self.balance_transaction_get(path.rsplit("/", 1)[1], query))
            return self._send(request, 404, _error("invalid_request_error", "Unrecognized request URL."))
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode()
        params = _nested(parse_qsl(raw, keep_blank_values=True))
        routes = {
            "/v1/customers": self._customer_create,
            "/v1/setup_intents": self._setup_intent_create,
            "/v1/payment_intents": self._payment_intent_create,
            "/v1/refunds": self.refund_create,
            "/v1/transfers": self.transfer_create,
            "/v1/payouts": self.payout_create,
        }
        if path not in routes:
            return self._send(request, 404, _error("invalid_request_error", "Unrecognized request URL."))
        key = request.headers.get("Idempotency-Key")
        fingerprint = hashlib.sha256(f"{path}?{raw}".encode()).hexdigest()
        with self._lock:
            stored = self.idempotent.get(key) if key else None
            if stored is None:
                status, body = routes[path](params)
                if key:
                    self.idempotent[key] = (fingerprint, status, body)
                replayed = False
            elif stored[0] != fingerprint:
                status, body = 400, _error(
                    "idempotency_error", "Keys for idempotent requests can only be used with the same parameters."
                )
                replayed = False
            else:
                _fingerprint, status, body = stored
                replayed = True
        if not replayed:
            self.state_save()
        if path == "/v1/payment_intents" and not replayed and self.latency_seconds:
            time.sleep(self.latency_seconds)  # recorded already: the client times out, the charge stands
        self._send(request, status, body, replayed=replayed)

    def _auth_refusal(self, authorization: str) -> str:
        """Stripe's message for a request whose key it refuses; "" when the key is accepted."""
        key = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
        if not key:
            return "You did not provide an API key."
        accepted = key in self.secret_keys if self.secret_keys is not None else key.startswith("sk_test_")
        if not accepted:
            return f"Invalid API Key provided: {key[:8]}{'*' * 8}{key[-4:]}"
        return ""

    def _send(self, request, status: int, body: dict, *, replayed: bool = False) -> None:
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.send_header("Request-Id", _new_id("req"))
            if replayed:
                request.send_header("Idempotent-Replayed", "true")
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _payment_method_get(self, pm_id: str) -> tuple[int, dict]:
        if pm_id not in PAYMENT_METHODS:
            return 404, _error(
                "invalid_request_error", f"No such PaymentMethod: '{pm_id}'", code="resource_missing", param="id"
            )
        brand, last4, _decline = PAYMENT_METHODS[pm_id]
        return 200, {
            "id": pm_id,
            "object": "payment_method",
            "type": "card",
            "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034},
            "customer": self.attached.get(pm_id),
        }

    def _account_get(self, account_id: str) -> tuple[int, dict]:
        account = self.accounts.get(account_id)
        if account is None:
            return 404, _error("invalid_request_error", f"No such account: '{account_id}'", code="resource_missing",
                               param="account")  # fmt: skip
        return 200, {"id": account_id, "object": "account", "charges_enabled": True, **account}

    def _customer_create(self, params: dict) -> tuple[int, dict]:
        customer = {"id": _new_id("cus"), "object": "customer", "name": params.get("name"),
                    "metadata": params.get("metadata", {})}  # fmt: skip
        self.customers[customer["id"]] = customer
        return 200, customer

    def _setup_intent_create(self, params: dict) -> tuple[int, dict]:
        if params.get("customer") not in self.customers:
            return 400, _error("invalid_request_error", "No such customer", code="resource_missing", param="customer")
        intent_id = _new_id("seti")
        intent = {
            "id": intent_id,
            "object": "setup_intent",
            "client_secret": f"{intent_id}_secret_{uuid.uuid4().hex[:16]}",
            "customer": params["customer"],
            "usage": params.get("usage"),
            "payment_method_types": params.get("payment_method_types", []),
            "status": "requires_payment_method",
            "payment_method": None,
            "metadata": params.get("metadata", {}),
        }
        self.setup_intents[intent_id] = intent
        return 200, intent

    def _payment_intent_create(self, params: dict) -> tuple[int, dict]:
        pm_id = params.get("payment_method")
        if pm_id not in PAYMENT_METHODS:
            return 400, _error(
                "invalid_request_error", f"No such PaymentMethod: '{pm_id}'", code="resource_missing",
                param="payment_method",
            )  # fmt: skip
        if pm_id in self.attached and self.attached[pm_id] != params.get("customer"):
            return 400, _error(
                "invalid_request_error", "The PaymentMethod is attached to another customer.",
                param="payment_method",
            )  # fmt: skip
        self.payment_intents_created += 1
        intent = {
            "id": _new_id("pi"),
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "currency": params["currency"],
            "customer": params.get("customer"),
            "payment_method": pm_id,
            "off_session": params.get("off_session") == "true",
            "confirm": params.get("confirm") == "true",
            "metadata": params.get("metadata", {}),
            "last_payment_error": None,
        }
        decline = PAYMENT_METHODS[pm_id][2]
        if decline is None:
            intent.update(status="succeeded", latest_charge=self.charge_book(intent)["id"])
            self.payment_intents[intent["id"]] = intent
            return 200, intent
        code, decline_code = decline
        error = {"type": "card_error", "code": code, "decline_code": decline_code,
                 "message": "Your card was declined.", "payment_method": {"id": pm_id}}  # fmt: skip
        intent.update(status="requires_payment_method", last_payment_error=error)
        self.payment_intents[intent["id"]] = intent
        return 402, {"error": {**error, "payment_intent": intent}}


def _error(kind: str, message: str, *, code: str | None = None, param: str | None = None) -> dict:
    return error_body(kind, message, code=code, param=param)
