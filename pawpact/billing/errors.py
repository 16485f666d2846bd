"""Billing's errors; each has the code the API and pages show (pawpact.core.errors)."""
from pawpact.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed


class UnbalancedJournal(BusinessRuleViolation):
    code = "unbalanced_journal"


class IllegalTransition(Conflict):
    """A move its state machine does not allow from the current state: 409, one code for
    every such refusal (the state changed under the caller, or the step makes no sense now)."""

    code = "illegal_transition"


class SigningBlocked(BusinessRuleViolation):
    code = "signing_blocked"


class AlreadyUnderContract(Conflict):
    code = "pet_under_contract"


class CustomerTooYoung(BusinessRuleViolation):
    code = "customer_under_18"


class UnknownPlanVersion(NotFound):
    code = "unknown_plan_version"


class InvalidPaymentMethod(ValidationFailed):
    code = "invalid_payment_method"

    @classmethod
    def on_field(cls, message: str) -> "InvalidPaymentMethod":
        """The error shown on the payment_method field."""
        return cls(message, fields={"payment_method": [message]})


class PaymentFailed(BusinessRuleViolation):
    code = "payment_failed"


class PenaltyRateTooHigh(ValidationFailed):
    code = "penalty_rate_too_high"


class EvidenceRequired(ValidationFailed):
    code = "evidence_required"


class QuoteExpired(BusinessRuleViolation):
    code = "quote_expired"


class QuoteStale(Conflict):
    code = "quote_stale"


class CoolingOffOver(BusinessRuleViolation):
    code = "cooling_off_over"


class DebitInFlight(Conflict):
    code = "debit_in_flight"


class CalendarExists(Conflict):
    code = "calendar_exists"


class AmountOverRailCap(ValidationFailed):
    code = "amount_over_rail_cap"


class DebitNotAllowed(BusinessRuleViolation):
    """The period or its contract is in a state that cannot be charged."""

    code = "debit_not_allowed"


class DebitNotDue(BusinessRuleViolation):
    """Too early for this period, or outside the hours its rail allows."""

    code = "debit_not_due"


class SigningLinkInvalid(NotFound):
    """Unknown, replaced, expired or already used: the customer asks the shop for a new link."""

    code = "signing_link_invalid"


class SigningCodeInvalid(ValidationFailed):
    code = "signing_code_invalid"


class SigningLocked(BusinessRuleViolation):
    code = "signing_locked"
