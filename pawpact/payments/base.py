"""What every payment rail offers, and the policies the debit scheduler obeys."""
from dataclasses import dataclass
from datetime import time
from typing import Protocol
from zoneinfo import ZoneInfo

from pawpact.core.money import Money
from pawpact.payments.enums import DeclineType


# The outcome of a request the provider refused for going over the merchant's requests per
# second. It is kept unknown (the provider's answer is not a decline), and the same request
# is asked again at the next slot the limiter gives (pawpact.payments.rail_batches).
FLOW_LIMITED = "flow_limited"


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    outcome: str  # "succeeded", "insufficient_funds", "hard_decline", "network_error", ...
    reference: str = ""
    decline_type: DeclineType | None = None  # set when not succeeded
    # True when the rail could not say what happened (timeouts, network): ask again
    # with the same idempotency key, never charge with a new one.
    is_unknown: bool = False


@dataclass(frozen=True)
class StatementLine:
    """One line of a provider's daily statement: a charge (positive), a refund or a transfer
    out of the account (negative)."""

    kind: str  # "charge" | "refund" | "transfer"
    order_no: str  # our out_trade_no (charges), out_request_no / out_refund_no (refunds), out_biz_no (transfers)
    provider_reference: str  # the provider's trade or transaction id
    amount_minor: int
    counterparty: str = ""  # a transfer's payee account, as the statement names it


class PaymentRail(Protocol):
    name: str

    def charge(
        self, *, token: str, customer_ref: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ChargeResult:
        """Charge a saved payment method off-session, at most once per idempotency key."""
        ...

    def refund(
        self, *, token: str, charge_reference: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        """Give `amount` of an earlier charge back, at most once per idempotency key (a repeated
        key answers with the first refund); the refund's reference. Raises RefundFailed."""
        ...

    def query(self, *, idempotency_key: str, amount: Money) -> ChargeResult | None:
        """What became of the charge sent with `idempotency_key`: its outcome, None if the
        provider never received it (charging again with the same key is then safe), or an
        unknown result if the provider cannot say yet."""
        ...


@dataclass(frozen=True)
class RailPolicy:
    """Rules a rail imposes on automatic debits, as data the scheduler reads."""

    max_amount_minor: int | None = None
    allowed_from: time = time(0, 0)
    allowed_until: time = time(23, 59, 59)
    timezone: ZoneInfo = ZoneInfo("Asia/Shanghai")
    pre_debit_notice_days: int = 0
    min_period_days: int = 28
