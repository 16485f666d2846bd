"""Customers' errors; each has the code the API and pages show (pawpact.core.errors)."""
from pawpact.core.errors import Conflict, NotFound, ValidationFailed


# Input the services check but no schema can express: well formed, refused by a rule (422).
class ImpossibleDate(ValidationFailed):
    """A date of birth or adoption after today, or an adoption before the pet was born."""

    code = "impossible_date"
    http_status = 422


class PhoneNotValid(ValidationFailed):
    """A phone number in E.164 form that no carrier can have: libphonenumber's rules for its country code refuse it."""

    code = "phone_not_valid"
    http_status = 422


class PasswordTooWeak(ValidationFailed):
    """A password the shop's password policy refuses (too common, all digits, like the name or email)."""

    code = "password_too_weak"
    http_status = 422


class EmailTaken(Conflict):
    """An account, or another customer, with this email exists at this shop."""

    code = "email_taken"


class PhoneTaken(Conflict):
    """A phone number belongs to one customer of the shop only."""

    code = "phone_taken"


class AccountExists(Conflict):
    """The customer has a login already."""

    code = "account_exists"


class PetUnderContract(Conflict):
    """The pet is under an open contract."""

    code = "pet_under_contract"


class VerificationCodeInvalid(ValidationFailed):
    """A registration or sign-in code (emailed or texted) is wrong or expired, or nothing awaits it: ask for a new one."""

    code = "verification_code_invalid"
    http_status = 422


class UnknownCustomer(NotFound):
    """No customer with this id at this shop."""

    code = "unknown_customer"


class UnknownPet(NotFound):
    """No such pet at this shop (a customer names only their own pets)."""

    code = "unknown_pet"


class RegistrationDetailsRequired(ValidationFailed):
    """A verified phone number no customer of the shop has: send `name` and `birth_date` with the same code to register."""

    code = "registration_details_required"
    http_status = 422
