from pawpact.core.errors import BusinessRuleViolation, Conflict, ValidationFailed


class FundingTermsInvalid(ValidationFailed):
    code = "invalid_funding_terms"


class AdvanceRefused(BusinessRuleViolation):
    """The contract cannot be bought on the shop's terms (the fee eats the whole advance)."""

    code = "advance_refused"


class UnbalancedPlatformJournal(BusinessRuleViolation):
    code = "unbalanced_journal"


class MismatchResolutionInvalid(ValidationFailed):
    """A reconciliation mismatch resolved without a reason a person may give, or without a note."""

    code = "invalid_mismatch_resolution"


class MismatchAlreadyResolved(Conflict):
    """The reconciliation mismatch was resolved already; its resolution stands."""

    code = "mismatch_already_resolved"


class StatementImportInvalid(ValidationFailed):
    """A statement import for an unknown provider, a future day, or a provider that needs its file."""

    code = "invalid_statement_import"
