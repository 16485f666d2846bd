"""The two named interfaces between the platform and the shops.

The platform (public schema) never imports a tenant app, and tenant apps never
import the platform. Where one side must act on, or ask, the other, it goes
through one of these protocols; the implementations are chosen in settings
(`PAWPACT_SHOP_SIDE`, `PAWPACT_PLATFORM_SIDE`), like Django's backends, so the
wiring is in `config` and every crossing is listed here.

Everything else the platform learns about shops comes through the outbox events
catalogued in pawpact.core.events.
"""
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentEventOutcome:
    """What a shop did with a provider's payment event: one of the three statuses, and a note."""

    APPLIED = "applied"
    IGNORED = "ignored"
    REJECTED = "rejected"

    status: str
    note: str = ""


@dataclass(frozen=True)
class StatementLineResult:
    """One line of a matched statement, or one record of the books the statement lacks.
    `result` is "matched", a mismatch kind (missing_here, missing_at_provider,
    amount_differs) or "not_matched" (a transfer out, not a payment of the shop's books);
    the platform words it from the code and these fields when it is shown."""

    kind: str  # the line's: charge | refund | transfer
    order_no: str  # our out_trade_no / out_refund_no, the number both sides know
    provider_reference: str  # the provider's trade, refund or transfer id ("" when not on the statement)
    amount_minor: int  # on the statement (0 when not on it)
    our_amount_minor: int  # in the books (0 when not in them)
    result: str
    our_record: str = ""  # what the books hold under the number: debit, deposit, penalty, refund, order
    our_key: str = ""  # that record's idempotency key
    # Whose money it is, as the books named it when matched, for the console: a statement line
    # is read by platform admins, who know customers and contracts, not keys.
    customer_name: str = ""
    contract_uuid: str = ""  # the contract the money belongs to ("" for an order or a membership)
    order_number: str = ""  # a storefront order's number (SO…)


@dataclass(frozen=True)
class StatementOutcome:
    """A provider statement matched against a shop's books: its lines, how many matched, how
    many did not (the mismatches themselves cross as a reconciliation.done outbox event),
    and every line's result, kept by the import so its page reads without matching again."""

    lines: int
    matched: int
    mismatches: int
    results: tuple[StatementLineResult, ...] = ()


class ShopSide(Protocol):
    """What the platform asks of a shop. Called in the shop's schema."""

    def payment_event_apply(self, *, succeeded: bool, payment: dict) -> PaymentEventOutcome:
        """Apply a provider's verified payment result (its payment object) to the debit it
        belongs to, once; a late or repeated event changes nothing."""
        ...

    def closure_start(self, *, schema_name: str) -> None:
        """The shop was deactivated: stop its debits (called after commit, from the public schema)."""
        ...

    def messaging_credentials_check(self, *, credentials, livemode: bool) -> str:
        """Ask the shop's SMS or email provider whether these credentials work: "" if they
        do, else the provider's reason. Any schema."""
        ...

    def statement_import(self, *, rail: str, livemode: bool, day, lines: list | None) -> StatementOutcome:
        """Match a provider's statement of `day` against the shop's books: `lines`
        (pawpact.payments.base.StatementLine) from an uploaded file, or None to fetch it
        from the provider now. Raises DomainError when the provider cannot be reached."""
        ...


class PlatformSide(Protocol):
    """What a shop asks of the platform."""

    def contract_limit(self, *, shop_id: int) -> int | None:
        """How many active contracts the shop's Pawpact plan allows; None is unlimited."""
        ...

    def partner_clearing_post(self, *, booking_id: int) -> None:
        """A partner booking paid by a plan entitlement was completed: post, once, what the
        shop owes the partner on the platform's ledger (inside the caller's transaction)."""
        ...

    def outbox_drain_soon(self, *, schema_name: str) -> None:
        """A fact the platform must act on at once was committed: drain that shop's outbox
        now rather than at the next periodic tick. Any schema."""
        ...


@cache
def shop_side() -> ShopSide:
    return import_string(settings.PAWPACT_SHOP_SIDE)()


@cache
def platform_side() -> PlatformSide:
    return import_string(settings.PAWPACT_PLATFORM_SIDE)()
