"""The sandbox payment provider: a real, local "bank" keeping its charges in the public
schema, as a real provider keeps them on its side.

Outcomes are decided by the payment-method token, so every path of the debit flow
can be exercised on demand. A stored token may carry a suffix after a dot
("tok_success.3f9a…") so that many customers can each save their own method.
"""
import re
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone

from pawpact.sandbox.models import SandboxCharge

SUCCEEDED = "succeeded"
INSUFFICIENT_FUNDS = "insufficient_funds"
HARD_DECLINE = "hard_decline"
INVALID_TOKEN = "invalid_token"
REFUNDED = "refunded"

# token → the outcome the provider records for it.
TOKEN_OUTCOMES: dict[str, str] = {
    "tok_success": SUCCEEDED,
    "tok_insufficient_funds": INSUFFICIENT_FUNDS,
    "tok_hard_decline": HARD_DECLINE,
    "tok_slow": SUCCEEDED,
}
# Not a provider outcome: the adapter simulates the network dying before the provider answers.
NETWORK_ERROR_TOKEN = "tok_network_error"
SLOW_TOKEN = "tok_slow"
TOKENS = (*TOKEN_OUTCOMES, NETWORK_ERROR_TOKEN)

_SUFFIX = re.compile(r"^[A-Za-z0-9]{1,64}$")


def token_base(token: str) -> str:
    """"tok_success.3f9a" → "tok_success"; an invalid token is returned unchanged."""
    base, _dot, suffix = token.partition(".")
    if base in TOKENS and (not _dot or _SUFFIX.match(suffix)):
        return base
    return token


def token_is_valid(token: str) -> bool:
    return isinstance(token, str) and token_base(token) in TOKENS


def sandbox_charge(
    *, idempotency_key: str, shop_schema: str, token: str, amount_minor: int, currency: str, sleep=time.sleep
) -> tuple[SandboxCharge, bool]:
    """Process a charge once per idempotency key; returns (charge, created).

    A repeated key returns the stored charge (outcome and reference), never a second one.
    INSERT … ON CONFLICT DO NOTHING keeps the caller's transaction usable when two
    workers race on one key: the loser waits for the winner's row, then reads it.
    """
    base = token_base(token)
    if base == SLOW_TOKEN:
        existing = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False  # answered from the record, at once
        sleep(float(settings.SANDBOX_RAIL_SLOW_SECONDS))
    charge = SandboxCharge(
        idempotency_key=idempotency_key,
        shop_schema=shop_schema,
        token=token,
        amount_minor=amount_minor,
        currency=currency,
        outcome=TOKEN_OUTCOMES.get(base, INVALID_TOKEN),
        reference=f"sbx_{uuid.uuid4().hex}",
        created_at=timezone.now(),
    )
    # One statement on the hot path (the debit run calls this once per debit).
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [getattr(charge, column) for column in _COLUMNS])
        row = cursor.fetchone()
    if row is None:
        # The key was there already (a retry, or a concurrent caller won): its charge is the one.
        return SandboxCharge.objects.get(idempotency_key=idempotency_key), False
    charge.pk = row[0]
    return charge, True


_COLUMNS = ("idempotency_key", "shop_schema", "token", "amount_minor", "currency", "outcome", "reference", "created_at")
# The table is public; a shop's search path ends in public, so the bare name resolves from any schema.
_INSERT = (
    f"INSERT INTO {SandboxCharge._meta.db_table} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)


def sandbox_charge_get(*, idempotency_key: str, shop_schema: str) -> SandboxCharge | None:
    """The charge processed under this key for this shop, if any (refunds are not charges)."""
    return (
        SandboxCharge.objects.filter(idempotency_key=idempotency_key, shop_schema=shop_schema)
        .exclude(outcome=REFUNDED)
        .first()
    )


def sandbox_refund(
    *, idempotency_key: str, shop_schema: str, token: str, amount_minor: int, currency: str, charge_reference: str
) -> tuple[SandboxCharge, bool]:
    """Book a refund of an earlier charge as a negative row, once per key; returns (refund, created).
    Refused (ValueError) when larger than the charge it gives back."""
    # Back to the card that was charged, as a real rail refunds the original charge.
    charged = SandboxCharge.objects.filter(reference=charge_reference, shop_schema=shop_schema).first()
    if charged is not None and amount_minor > charged.amount_minor:
        raise ValueError("refund larger than its charge")
    return SandboxCharge.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "shop_schema": shop_schema,
            "token": charged.token if charged is not None else token,
            "amount_minor": -amount_minor,
            "currency": currency,
            "outcome": REFUNDED,
            "reference": f"sbx_re_{uuid.uuid4().hex}",
        },
    )
