"""Customers' errors; each has the code the API and pages show (pawpact.core.errors)."""
from pawpact.core.errors import BusinessRuleViolation


class ImpossibleDate(BusinessRuleViolation):
    """A date of birth or adoption after today, or an adoption before the pet was born."""

    code = "impossible_date"


class PasswordTooWeak(BusinessRuleViolation):
    """A password the shop's password policy refuses (too common, all digits, like the name or email)."""

    code = "password_too_weak"
