"""The catalogue of facts a shop tells the platform: one definition per event kind.

A tenant app writes an event with `pawpact.outbox.services.outbox_emit` in the same
transaction as the fact; the platform drains it into public tables (funding, KPI
facts, risk). This module is the only place both sides agree on: the platform never
imports a tenant app to learn what an event means.
"""
from dataclasses import dataclass


class EventKind:
    CONTRACT_SIGNED = "contract.signed"
    CONTRACT_ACTIVATED = "contract.activated"
    CONTRACT_TERMINATED = "contract.terminated"
    CONTRACT_RENEWED = "contract.renewed"
    DEBIT_PAID = "debit.paid"
    DEBIT_FAILED = "debit.failed"
    PERIOD_OVERDUE = "period.overdue"
    PERIOD_RECOVERED = "period.recovered"
    PERIOD_WRITTEN_OFF = "period.written_off"
    COMPLAINT_OPENED = "complaint.opened"
    COMPLAINT_RESOLVED = "complaint.resolved"
    ORDER_PAID = "order.paid"
    ORDER_REFUNDED = "order.refunded"
    RECONCILIATION_DONE = "reconciliation.done"
    REFERRAL_CONVERTED = "referral.converted"
    MEMBERSHIP_CHARGED = "membership.charged"
    MEMBERSHIP_ENDED = "membership.ended"
    MEMBERSHIP_REFUNDED = "membership.refunded"
    MESSAGE_SENT = "message.sent"


@dataclass(frozen=True)
class EventDefinition:
    kind: str
    description: str
    fields: tuple[str, ...]
    # False: a fact for the shop's own webhook subscribers only. The platform's books have no
    # use for it, so it is written as published and the drain never copies it (a campaign's
    # thousands of messages stay out of the platform's tables).
    platform: bool = True


_DEBIT_FIELDS = ("contract_uuid", "period_number", "amount_minor", "currency", "attempt_number", "outcome", "at")
_PERIOD_FIELDS = ("contract_uuid", "customer_uuid", "period_number", "amount_minor", "currency", "at")

CATALOGUE: dict[str, EventDefinition] = {
    definition.kind: definition
    for definition in (
        EventDefinition(
            EventKind.CONTRACT_SIGNED,
            "A contract's first period is paid: it is active and the platform may advance its value.",
            ("contract_uuid", "customer_uuid", "plan_code", "plan_version", "monthly_amount_minor", "periods",
             "total_minor", "currency", "signed_at"),
        ),  # fmt: skip
        EventDefinition(
            EventKind.CONTRACT_ACTIVATED,
            "A contract came into force: its first period is paid and its cooling-off period runs.",
            ("contract_uuid", "customer_uuid", "pet_uuid", "plan_code", "activated_at", "cooling_off_until"),
            platform=False,
        ),
        EventDefinition(
            EventKind.CONTRACT_TERMINATED,
            "A contract ended (completion, early, pet loss, cooling-off, shop closure or default).",
            ("contract_uuid", "reason", "paid_periods", "periods", "cancelled_minor", "remaining_minor",
             "penalty_minor", "refund_minor", "currency", "at"),
        ),  # fmt: skip
        EventDefinition(
            EventKind.CONTRACT_RENEWED,
            "A contract was renewed into a new one.",
            ("contract_uuid", "renewal_contract_uuid", "at"),
        ),
        EventDefinition(EventKind.DEBIT_PAID, "A period's debit succeeded.", _DEBIT_FIELDS),
        EventDefinition(EventKind.DEBIT_FAILED, "A period's debit attempt failed.", (*_DEBIT_FIELDS, "decline_type")),
        EventDefinition(EventKind.PERIOD_OVERDUE, "A period is past its grace days unpaid.", _PERIOD_FIELDS),
        EventDefinition(EventKind.PERIOD_RECOVERED, "An overdue period was paid after all.", _PERIOD_FIELDS),
        EventDefinition(EventKind.PERIOD_WRITTEN_OFF, "An overdue period was written off as bad debt.", _PERIOD_FIELDS),
        EventDefinition(EventKind.COMPLAINT_OPENED, "A customer opened a complaint.", ("complaint_uuid", "at")),
        EventDefinition(EventKind.COMPLAINT_RESOLVED, "A complaint was resolved.", ("complaint_uuid", "at")),
        EventDefinition(
            EventKind.RECONCILIATION_DONE,
            "A provider's daily statement was matched line by line against the shop's debits and refunds; "
            "mismatches: [{kind, reference, amount_minor, our_amount_minor}].",
            ("provider", "statement_date", "lines", "matched", "mismatches", "at"),
        ),
        EventDefinition(
            EventKind.REFERRAL_CONVERTED,
            "A referred newcomer signed a plan (in-shop only: loyalty rewards the referrer).",
            ("referrer_uuid", "referred_uuid", "contract_uuid", "at"),
        ),
        EventDefinition(
            EventKind.MEMBERSHIP_CHARGED,
            "A paid membership's period was paid (joining or a renewal): membership revenue of the shop.",
            ("membership_uuid", "customer_uuid", "plan_name", "amount_minor", "currency", "period_start", "renewal", "at"),
        ),
        EventDefinition(
            EventKind.MEMBERSHIP_REFUNDED,
            "A paid membership period's charge was given back (the shop's refund rule): comes off membership revenue.",
            ("membership_uuid", "customer_uuid", "plan_name", "amount_minor", "currency", "period_start", "at"),
        ),
        EventDefinition(
            EventKind.MEMBERSHIP_ENDED,
            "A paid membership ended: cancelled by the member (at its period's end, or at once with a refund under the "
            "shop's rule: reason `refunded`), or lapsed after failed renewals.",
            ("membership_uuid", "customer_uuid", "plan_name", "reason", "at"),
        ),
        EventDefinition(
            EventKind.ORDER_PAID, "A storefront order was paid.", ("order_uuid", "customer_uuid", "amount_minor",
                                                                     "currency", "at"),
        ),  # fmt: skip
        EventDefinition(
            EventKind.ORDER_REFUNDED,
            "Money of a paid storefront order was given back (a cancellation before dispatch, or a refund after); "
            "amount_minor is this refund, refunded_minor the order's total refunded so far.",
            ("order_uuid", "customer_uuid", "amount_minor", "refunded_minor", "currency", "reason", "at"),
        ),
        EventDefinition(
            EventKind.MESSAGE_SENT,
            "A message went out to a customer (in-app, SMS or email; one event per channel); a message held back "
            "by the marketing cap sends none.",
            ("message_id", "customer_uuid", "channel", "category", "topic", "at"),
            platform=False,
        ),
    )
}


# Facts whose funding consequence people look for at once (the advances pages after a signing,
# a cancellation or a termination): the shop's outbox is drained right after they commit
# instead of at the next minute's tick, which stays the safety net.
PROMPT_KINDS = frozenset({EventKind.CONTRACT_SIGNED, EventKind.CONTRACT_TERMINATED})


class UnknownEvent(ValueError):
    """An event kind or payload the catalogue does not define: a programming error."""


def event_payload_check(*, kind: str, payload: dict) -> None:
    """Refuse a kind the catalogue lacks, or a payload without exactly its fields."""
    definition = CATALOGUE.get(kind)
    if definition is None:
        raise UnknownEvent(f"{kind!r} is not in the event catalogue")
    if set(payload) != set(definition.fields):
        raise UnknownEvent(f"{kind} payload has {sorted(payload)}, the catalogue says {sorted(definition.fields)}")
