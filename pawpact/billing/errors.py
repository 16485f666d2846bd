from pawpact.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed


class UnbalancedJournal(BusinessRuleViolation):
    code = "unbalanced_journal"


class IllegalTransition(BusinessRuleViolation):
    code = "illegal_transition"


class SigningBlocked(BusinessRuleViolation):
    code = "signing_blocked"


class AlreadyUnderContract(Conflict):
    code = "pet_under_contract"


class AlreadySigned(Conflict):
    code = "already_signed"


class CustomerTooYoung(BusinessRuleViolation):
    code = "customer_under_18"


class UnknownPlanVersion(NotFound):
    code = "unknown_plan_version"


class InvalidPaymentMethod(ValidationFailed):
    code = "invalid_payment_method"


class PaymentFailed(BusinessRuleViolation):
    code = "payment_failed"
