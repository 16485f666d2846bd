"""The Stripe rail: cards saved with a SetupIntent, each debit an off-session
PaymentIntent confirmed at once and carrying the attempt's idempotency key.

A repeated idempotency key makes Stripe answer with the first response instead of
charging again, so an attempt whose outcome is unknown (timeout, network, Stripe
5xx) is retried with the same key, never a new one.
"""
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import stripe
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from pawpact.core.clock import local_midnight
from pawpact.core.money import Money
from pawpact.payments.base import ChargeResult, StatementLine
from pawpact.payments.enums import DeclineType
from pawpact.payments.errors import ProviderRefused, RailNotConfigured, RefundFailed
from pawpact.payments.gateways import out_trade_no
from pawpact.tenants.modes import live_key_refuse_in_test, sandbox_refuse_in_live

# Decline reasons (Stripe's decline_code, else the error code) that retrying cannot fix:
# the customer must give a new payment method. Everything else is retried by dunning.
HARD_DECLINE_REASONS = frozenset(
    {
        "lost_card",
        "stolen_card",
        "expired_card",
        "do_not_honor",
        "pickup_card",
        "fraudulent",
        "restricted_card",
        "security_violation",
        "invalid_account",
        "incorrect_number",
        "card_not_supported",
        "currency_not_supported",
        "revocation_of_authorization",
        "revocation_of_all_authorizations",
        "stop_payment_order",
        "transaction_not_allowed",
        "authentication_required",  # off-session 3-D Secure: only the customer can pass it
        "invalid_payment_method",
        "resource_missing",
    }
)
SOFT_DECLINE_REASONS = frozenset(
    {"insufficient_funds", "processing_error", "try_again_later", "generic_decline", "card_velocity_exceeded"}
)
TIMEOUT_SECONDS = 30
# The client retries timeouts and dropped connections itself, with the same idempotency key.
MAX_NETWORK_RETRIES = 2
logger = logging.getLogger(__name__)
NETWORK_ERROR = "network_error"
# Balance transaction types that are charges or refunds of ours; payouts, transfers (advances
# to shops), fees and adjustments are the platform's own movements, not a shop's statement.
CHARGE_TYPES = frozenset({"charge", "payment"})
REFUND_TYPES = frozenset({"refund", "payment_refund"})


def decline_type_for(reason: str) -> DeclineType:
    return DeclineType.HARD if reason in HARD_DECLINE_REASONS else DeclineType.SOFT


def _decline_reason(error: dict | None, default: str) -> str:
    error = error or {}
    return error.get("decline_code") or error.get("code") or default


def result_from_intent(intent: dict) -> ChargeResult:
    """A PaymentIntent (API response or webhook payload) as a rail outcome."""
    status = intent.get("status")
    reference = intent.get("id", "")
    if status == "succeeded":
        return ChargeResult(succeeded=True, outcome="succeeded", reference=reference)
    if status in ("requires_payment_method", "requires_action"):
        reason = _decline_reason(intent.get("last_payment_error"), "authentication_required")
        return ChargeResult(
            succeeded=False, outcome=reason, reference=reference, decline_type=decline_type_for(reason)
        )
    # "processing" and anything unexpected: the outcome comes later, by webhook.
    return ChargeResult(succeeded=False, outcome=status or "unknown", reference=reference, is_unknown=True)


@dataclass(frozen=True)
class SetupIntentHandle:
    id: str
    client_secret: str
    customer_ref: str


@dataclass(frozen=True)
class CardDetails:
    id: str
    customer_ref: str  # "" when the card is not saved to a customer
    brand: str
    last4: str

    @property
    def label(self) -> str:
        return f"{self.brand.title()} •••• {self.last4}"


def stripe_client(
    *, max_network_retries: int | None = None, timeout_seconds: float | None = None
) -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise RailNotConfigured("The Stripe rail is not configured: set STRIPE_SECRET_KEY.")
    # STRIPE_API_BASE (the local fake Stripe) serves test keys only: a live key always goes to
    # Stripe itself, so live money can never be sent to a fake by a setting left behind.
    is_test_key = settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_"))
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE and is_test_key else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=MAX_NETWORK_RETRIES if max_network_retries is None else max_network_retries,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds),
    )


def stripe_key_mode_check(*, livemode: bool) -> None:
    """Stripe keys say their mode (sk_live_…, sk_test_…): a live record needs a live key, and a
    test-mode record never reaches a live key."""
    key = settings.STRIPE_SECRET_KEY or ""
    is_live_key = key.startswith(("sk_live_", "rk_live_"))
    live_key_refuse_in_test(provider="Stripe", key_is_live=is_live_key, livemode=livemode)
    if livemode and not is_live_key:
        sandbox_refuse_in_live(provider=_("Stripe with a test key"), livemode=livemode)


class StripeRail:
    name = "stripe"

    def __init__(self, *, client: stripe.StripeClient | None = None, livemode: bool = False) -> None:
        if not settings.STRIPE_SECRET_KEY and client is None:
            raise RailNotConfigured("The Stripe rail is not configured: set STRIPE_SECRET_KEY.")
        stripe_key_mode_check(livemode=livemode)
        self._client = client or stripe_client()

    def customer_create(self, *, name: str, metadata: dict[str, str]) -> str:
        customer = self._client.v1.customers.create(
            {"name": name, "metadata": {**metadata, "shop_schema": connection.schema_name}}
        )
        return customer["id"]

    def setup_intent_create(self, customer_ref: str) -> SetupIntentHandle:
        """A SetupIntent the customer's browser confirms with Stripe.js to save a card for off-session debits."""
        intent = self._client.v1.setup_intents.create(
            {
                "customer": customer_ref,
                "usage": "off_session",
                "payment_method_types": ["card"],
                "metadata": {"shop_schema": connection.schema_name},
            }
        )
        return SetupIntentHandle(id=intent["id"], client_secret=intent["client_secret"], customer_ref=customer_ref)

    def payment_method_get(self, *, token: str) -> CardDetails | None:
        try:
            method = self._client.v1.payment_methods.retrieve(token).to_dict()
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise
        card = method.get("card") or {}
        return CardDetails(
            id=method["id"],
            customer_ref=method.get("customer") or "",
            brand=card.get("brand", "card"),
            last4=card.get("last4", ""),
        )

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        params = {
            "amount": amount.amount_minor,
            "currency": amount.currency.lower(),
            "customer": customer_ref,
            "payment_method": token,
            "payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
            # What the webhook needs to find the attempt again, in the right shop.
            "metadata": {
                **{key: str(value) for key, value in metadata.items()},
                "shop_schema": metadata.get("shop_schema") or connection.schema_name,
                "idempotency_key": idempotency_key,
            },
        }
        try:
            intent = self._client.v1.payment_intents.create(params, {"idempotency_key": idempotency_key})
        except stripe.CardError as error:
            body = (error.json_body or {}).get("error", {})
            reason = _decline_reason(body, "card_declined")
            return ChargeResult(
                succeeded=False,
                outcome=reason,
                reference=(body.get("payment_intent") or {}).get("id", ""),
                decline_type=decline_type_for(reason),
            )
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError):
            # Timeouts, dropped connections, Stripe 5xx: it may or may not have charged.
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing" or (error.param or "").startswith("payment_method"):
                # The saved card is gone or unusable: only the customer can fix that.
                reason = error.code or "invalid_payment_method"
                return ChargeResult(succeeded=False, outcome=reason, decline_type=DeclineType.HARD)
            raise
        return result_from_intent(intent.to_dict())

    def refund(
        self, *, token: str, charge_reference: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        """Refund the PaymentIntent `charge_reference`, with the key as Stripe's idempotency key."""
        try:
            refund = self._client.v1.refunds.create(
                {
                    "payment_intent": charge_reference,
                    "amount": amount.amount_minor,
                    "metadata": {**metadata, "shop_schema": connection.schema_name, "idempotency_key": idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            logger.exception("Stripe refund %s failed", idempotency_key)
            raise RefundFailed(
                _("The payment provider did not accept the refund (%(reason)s); nothing was changed, try again.")
                % {"reason": type(error).__name__}
            ) from error
        return refund["id"]

    def query(self, *, idempotency_key: str, amount: Money) -> ChargeResult | None:
        """The PaymentIntent created with this key (its metadata carries it), found by search."""
        try:
            found = self._client.v1.payment_intents.search(
                {"query": f"metadata['idempotency_key']:'{idempotency_key}'", "limit": 1}
            ).to_dict()
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError):
            return ChargeResult(succeeded=False, outcome=NETWORK_ERROR, is_unknown=True)
        intents = found.get("data") or []
        return result_from_intent(intents[0]) if intents else None

    def statement(self, *, day: date) -> list[StatementLine]:
        """The current shop's charges and refunds among the account's balance transactions
        created on `day` (the platform's day), every page of them. A line is the shop's when
        its charge or refund carries the shop's schema in its metadata (Stripe copies a
        PaymentIntent's metadata to its charge); its order number is derived from our
        idempotency key there, like the other rails' out_trade_no."""
        return self.statement_by_shop(day=day).get(connection.schema_name, [])

    def statement_by_shop(self, *, day: date) -> dict[str, list[StatementLine]]:
        """Every shop's lines of `day` from one listing of the platform account's balance
        transactions, keyed by the shop's schema; lines of no shop are left out."""
        start, end = (int(local_midnight(d).timestamp()) for d in (day, day + timedelta(days=1)))
        params = {"created": {"gte": start, "lt": end}, "limit": 100, "expand": ["data.source"]}
        by_shop: dict[str, list[StatementLine]] = {}
        try:
            for txn in self._client.v1.balance_transactions.list(params).auto_paging_iter():
                schema, line = _statement_line(txn.to_dict())
                if line is not None:
                    by_shop.setdefault(schema, []).append(line)
        except stripe.AuthenticationError as error:
            raise ProviderRefused(_("Stripe refused: %(reason)s") % {"reason": error.user_message or error}) from None
        except stripe.StripeError as error:
            logger.warning("Stripe balance transactions of %s not fetched: %s", day, error)
            raise ProviderRefused(
                _("Stripe's balance transactions could not be fetched (%(reason)s); try again.")
                % {"reason": error.user_message or type(error).__name__}
            ) from None
        return by_shop


def stripe_key_livemode() -> bool:
    """The mode of the platform's Stripe key (a live key pays live money)."""
    return (settings.STRIPE_SECRET_KEY or "").startswith(("sk_live_", "rk_live_"))


def _statement_line(txn: dict) -> tuple[str, StatementLine | None]:
    """(the shop's schema, its line) of a charge or refund we made; ("", None) for anything else."""
    kind = txn.get("type")
    source = txn.get("source") if isinstance(txn.get("source"), dict) else {}
    metadata = source.get("metadata") or {}
    schema = metadata.get("shop_schema") or ""
    if kind not in CHARGE_TYPES | REFUND_TYPES or not schema:
        return "", None
    key = metadata.get("idempotency_key") or ""
    order_no = out_trade_no(key) if key else source.get("id", txn["id"])
    refund = kind in REFUND_TYPES
    amount = -abs(txn["amount"]) if refund else txn["amount"]
    return schema, StatementLine("refund" if refund else "charge", order_no, txn["id"], amount)
