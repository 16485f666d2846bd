"""Errors of the debit calendar and debit attempts."""
from pawpact.core.errors import BusinessRuleViolation, Conflict, ValidationFailed


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
