from pawpact.core.errors import BusinessRuleViolation, Conflict, ValidationFailed


class FundingTermsInvalid(ValidationFailed):
    code = "invalid_funding_terms"


class AdvanceRefused(BusinessRuleViolation):
    """The contract cannot be bought on the shop's terms (the fee eats the whole advance)."""

    code = "advance_refused"


class UnbalancedPlatformJournal(BusinessRuleViolation):
    code = "unbalanced_journal"


class MismatchResolutionInvalid(ValidationFailed):
    code = "invalid_mismatch_resolution"


class MismatchAlreadyResolved(Conflict):
    code = "mismatch_already_resolved"


class StatementImportInvalid(ValidationFailed):
    code = "invalid_statement_import"
