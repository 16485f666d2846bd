"""A customer's optional email and preferred language, checked as the services store them."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from pawpact.core.errors import ValidationFailed
from pawpact.core.text import INVISIBLE_MESSAGE, has_invisible
from pawpact.customers.errors import EmailTaken
from pawpact.customers.models import Customer

EMAIL_MAX = 254


def email_clean(email, *, exclude: Customer | None = None) -> str:
    """The stored form of an optional email ("" for none; the domain in lower case), or
    ValidationFailed / EmailTaken (another customer of the shop has it, in any case)."""
    if email is None:
        return ""
    if not isinstance(email, str):
        raise ValidationFailed(_("The customer's details are invalid."),
                               fields={"email": [_("Enter an email address.")]})  # fmt: skip
    email = email.strip()
    if not email:
        return ""
    try:
        if len(email) > EMAIL_MAX or has_invisible(email):
            raise ValidationError(str(INVISIBLE_MESSAGE) if has_invisible(email) else _("Use at most 254 characters."))
        validate_email(email)
    except ValidationError as error:
        problem = list(error.messages)
        raise ValidationFailed(_("The customer's details are invalid."), fields={"email": problem}) from None
    local, _at, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}"
    others = Customer.objects.exclude(pk=exclude.pk) if exclude is not None else Customer.objects.all()
    if others.filter(email__iexact=email).exists():
        raise email_taken()
    return email


def email_taken() -> EmailTaken:
    return EmailTaken(
        _("A customer with this email is registered already."), fields={"email": [_("This email is taken.")]}
    )


def language_clean(language) -> str:
    """One of the site's languages, or "" (the shop's default)."""
    if language in (None, ""):
        return ""
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationFailed(
            _("The customer's details are invalid."),
            fields={"language": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(codes)}]},
        )  # fmt: skip
    return language
