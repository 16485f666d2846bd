"""Billing's errors; each has the code the API and pages show (pawpact.core.errors)."""
from pawpact.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from pawpact.payments.errors import PaymentDeclined


class UnbalancedJournal(BusinessRuleViolation):
    """A ledger journal that does not sum to zero (a bug; nothing was written)."""

    code = "unbalanced_journal"


class IllegalTransition(Conflict):
    """A move its state machine does not allow from the current state: 409, one code for
    every such refusal (the state changed under the caller, or the step makes no sense now)."""

    code = "illegal_transition"


class SigningBlocked(BusinessRuleViolation):
    """New signings are blocked at this shop (risk controls, or the shop is closed)."""

    code = "signing_blocked"


class AlreadyUnderContract(Conflict):
    """The pet is already under an open contract."""

    code = "pet_under_contract"


class CustomerTooYoung(BusinessRuleViolation):
    """Only adults (18 or older) sign a contract."""

    code = "customer_under_18"


class UnknownPlanVersion(NotFound):
    """No such plan version at this shop."""

    code = "unknown_plan_version"


class InvalidPaymentMethod(BusinessRuleViolation):
    """The rail refused the payment method (unknown, or not the customer's)."""

    code = "invalid_payment_method"

    @classmethod
    def on_field(cls, message: str) -> "InvalidPaymentMethod":
        """The error shown on the payment_method field."""
        return cls(message, fields={"payment_method": [message]})


class PaymentFailed(PaymentDeclined):
    """The payment provider declined the charge: `decline_code` says why (`insufficient_funds`, `hard_decline`, `invalid_token`, `declined`) and `message` in words; `fields` gives the reason under the payment-method field sent (`payment_method_id`, `token`), or under `non_field_errors` when the contract's saved method was charged. Nothing was kept. The `Idempotency-Key` keeps this answer: try another payment method with a new key."""

    # Callers pinned to 2026-12-01 are answered as then (pawpact.api.errors).
    until_2026_12_01 = (422, "payment_failed")


class PenaltyRateTooHigh(ValidationFailed):
    """The early-termination penalty rate is above 10%."""

    code = "penalty_rate_too_high"


class EvidenceRequired(ValidationFailed):
    """Pet death or loss needs a file or a note of at least 10 characters."""

    code = "evidence_required"
    http_status = 422  # a rule of the shop, not a malformed request


class QuoteExpired(BusinessRuleViolation):
    """The termination quote is older than 24 hours: ask for a new one."""

    code = "quote_expired"


class QuoteStale(Conflict):
    """The contract changed since the quote (a debit was paid): ask for a new one."""

    code = "quote_stale"


class CoolingOffOver(BusinessRuleViolation):
    """The cooling-off period has ended."""

    code = "cooling_off_over"


class DebitInFlight(Conflict):
    """A debit of this contract is being processed: retry in a few minutes."""

    code = "debit_in_flight"


class CalendarExists(Conflict):
    """The contract's debit calendar exists already."""

    code = "calendar_exists"


class AmountOverRailCap(ValidationFailed):
    """The amount is over the per-debit cap of the rail."""

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
    """The signing code is wrong or expired."""

    code = "signing_code_invalid"


class SigningLocked(BusinessRuleViolation):
    """Too many wrong signing codes: ask for a new signing link."""

    code = "signing_locked"


class PlanTermsInvalid(ValidationFailed):
    """A plan's terms that break a rule together (a fulfilment reward after the last period)."""

    code = "plan_terms_invalid"
    # The API's serializer refuses each malformed term (400); what reaches here is a rule.
    http_status = 422


class RenewalAccepted(Conflict):
    """The renewal offer was accepted already (with another option)."""

    code = "renewal_accepted"


class RenewedAlready(Conflict):
    """The contract has been renewed already."""

    code = "renewed_already"


class PlanLimitReached(SigningBlocked):
    """The shop's Pawpact plan allows no more active contracts."""

    code = "plan_limit_reached"


class DeferralRefused(BusinessRuleViolation):
    """A deferral coupon cannot be used on this period."""

    code = "deferral_refused"


class NoDeferralCoupon(DeferralRefused):
    """The contract has no unused deferral coupon."""

    code = "no_deferral_coupon"


class DeferralTwiceInARow(DeferralRefused):
    """Two neighbouring periods cannot both be deferred."""

    code = "deferral_twice_in_a_row"


class PaymentMethodInUse(Conflict):
    """A signed or active contract debits this payment method: replace it there first."""

    code = "payment_method_in_use"


class SigningLinkUsed(SigningLinkInvalid):
    """The signing link has been used already."""

    code = "signing_link_used"


class SigningLinkExpired(SigningLinkInvalid):
    """The signing link expired: the customer asks the shop for a new one."""

    code = "signing_link_expired"


class SigningCodeTooSoon(SigningCodeInvalid):
    """A code was sent less than a minute ago."""

    code = "signing_code_too_soon"


class SigningCodeUsed(SigningCodeInvalid):
    """The agreement is signed already; a code works once."""

    code = "signing_code_used"


class SigningCodeExpired(SigningCodeInvalid):
    """No code was sent in the last 10 minutes."""

    code = "signing_code_expired"


class ShopNotClosed(BusinessRuleViolation):
    code = "shop_not_closed"


class AlreadyOnHold(Conflict):
    """The contract's shipments are held already; release the hold first."""

    code = "already_on_hold"


class PetLossReportOpen(Conflict):
    """The customer's pet-loss report is with the shop already, waiting for a decision."""

    code = "report_open"


class CreditCheckFailed(BusinessRuleViolation):
    """The credit provider gave no score (the customer has not authorised it, or it refused)."""

    code = "credit_check_failed"


class CreditConsentMissing(BusinessRuleViolation):
    """The credit check runs (in both modes) only after the applicant agreed to it."""

    code = "credit_consent_missing"


class TestClockInLiveMode(BusinessRuleViolation):
    """Test clocks exist in test mode only: live contracts always run on real time."""

    __test__ = False
    code = "test_clock_live_mode"


class TestClockAdvanceInvalid(BusinessRuleViolation):
    """An advance must name one target after the clock's time and at most 400 days ahead."""

    __test__ = False
    code = "test_clock_advance_invalid"


class TestClockAttachRefused(Conflict):
    """Only an open test-mode contract that is on no other clock can be attached to a clock."""

    __test__ = False
    code = "test_clock_attach_refused"


class TestClockBusy(Conflict):
    """The clock is being advanced by another request: wait for it to finish."""

    __test__ = False
    code = "test_clock_advancing"
