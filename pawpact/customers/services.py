"""Writes on the shop's customers and their pets (minimal records; the pet archive is elsewhere)."""
import re
from datetime import date

import phonenumbers
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.accounts.services import api_token_issue
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict, ValidationFailed
from pawpact.core.metadata import metadata_merged
from pawpact.core.text import INVISIBLE_MESSAGE, has_invisible
from pawpact.customers.contact import email_clean, email_taken, language_clean
from pawpact.customers.enums import IdVerification, Species
from pawpact.customers.errors import (
    AccountExists,
    EmailTaken,
    ImpossibleDate,
    PasswordTooWeak,
    PetUnderContract,
    PhoneNotValid,
    PhoneTaken,
)
from pawpact.customers.models import Customer, Pet

# A mainland mobile number (11 digits starting 13–19, optional +86), or an international
# number in E.164 form (+, country code, number) that libphonenumber knows to be valid for
# its country: a well-formed but impossible number would only fail later, when its SMS bounces.
_CN_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def phone_normalize(phone: str) -> str | None:
    """The stored form of a phone number ("138 0013 8000" → "13800138000"), or None if invalid."""
    return None if phone_problem(phone) else _compact(phone)


def _compact(phone: str) -> str:
    compact = _SEPARATORS.sub("", phone.strip())
    mobile = _CN_MOBILE.match(compact)
    return mobile.group(1) if mobile else compact


def phone_problem(phone) -> str | None:
    """Why a phone number cannot be used (in words for the person typing it), or None."""
    if not isinstance(phone, str) or not phone.strip():
        return _("Enter a mobile number such as 13800138000 or +85291234567.")
    compact = _compact(phone)
    if _CN_MOBILE.match(compact):
        return None
    if not compact.startswith("+"):
        return _("A mainland mobile has 11 digits starting with 13–19; start any other number with + and its "
                 "country code, such as +85291234567.")  # fmt: skip
    if not _E164.match(compact):
        return _("An international number is + followed by 8 to 15 digits, such as +85291234567.")
    try:
        parsed = phonenumbers.parse(compact)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return _("This is not a valid number for country code +%(code)s; check its digits.") % {
            "code": parsed.country_code if parsed else compact[1:3]}  # fmt: skip
    return None


def customer_validate(
    *, name: str, phone: str, birth_date: date, clock: Clock = default_clock, exclude: Customer | None = None
) -> tuple[str, str]:
    """The cleaned (name, phone) of a new (or, with `exclude`, an edited) customer, or
    ValidationFailed with a message per field."""
    errors: dict[str, list[str]] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [_("Enter the customer's name.")]
    elif len(name) > 80:
        errors["name"] = [_("Use at most 80 characters.")]
    elif has_invisible(name):
        errors["name"] = [str(INVISIBLE_MESSAGE)]
    problem = phone_problem(phone)
    normalized = None if problem else _compact(phone)
    if problem:
        errors["phone"] = [problem]
    if not isinstance(birth_date, date):
        errors["birth_date"] = [_("Enter a date of birth.")]
    elif birth_date > clock.today():
        errors["birth_date"] = [_("The date of birth cannot be in the future.")]
    future = [_("The date of birth cannot be in the future.")]
    if "phone" in errors and _E164.match(_compact(phone)) and all(
            field == "phone" or messages == future for field, messages in errors.items()):  # fmt: skip
        # Well formed, yet no carrier's number: a rule, like an impossible date (422, not 400).
        raise PhoneNotValid(_("The customer's details are invalid."), fields=errors)
    _raise_invalid(_("The customer's details are invalid."), errors)
    others = Customer.objects.exclude(pk=exclude.pk) if exclude is not None else Customer.objects.all()
    if others.filter(phone=normalized).exists():
        raise _phone_taken()
    return name, normalized


def customer_create(
    *, name: str, phone: str, birth_date: date, user: User | None = None, metadata: dict | None = None,
    email: str = "", language: str = "", clock: Clock = default_clock,
) -> Customer:  # fmt: skip
    """Register a customer of the shop. A phone number, and an email, belong to one customer only."""
    name, normalized = customer_validate(name=name, phone=phone, birth_date=birth_date, clock=clock)
    email, language = email_clean(email), language_clean(language)
    metadata = metadata_merged({}, metadata)
    if user is not None and Customer.objects.filter(user=user).exists():
        raise Conflict(_("This account already belongs to a customer."), fields={"user": [_("Already linked.")]})
    try:
        with transaction.atomic():
            return Customer.objects.create(
                name=name, phone=normalized, birth_date=birth_date, user=user, metadata=metadata, email=email,
                language=language,
            )  # fmt: skip
    except IntegrityError as error:
        # Two registrations raced for one number, email (or account): the unique index decided.
        if Customer.objects.filter(phone=normalized).exists():
            raise _phone_taken() from error
        if email and Customer.objects.filter(email__iexact=email).exists():
            raise email_taken() from error
        raise Conflict(_("This account already belongs to a customer.")) from error


def customer_update(*, customer: Customer, clock: Clock = default_clock, **changes: object) -> Customer:
    """Change a customer's name, phone, date of birth, email or language (the fields given;
    the rest stays). Their login, if any, gets the same name and phone."""
    metadata = changes.pop("metadata", None)
    contact = {key: changes.pop(key) for key in ("email", "language") if key in changes}
    unknown = set(changes) - {"name", "phone", "birth_date"}
    if unknown:
        raise ValidationFailed(_("Some fields are invalid."), fields={name: [_("Unknown field.")] for name in unknown})
    try:
        with transaction.atomic():
            locked = Customer.objects.select_for_update().get(pk=customer.pk)
            values = {"name": locked.name, "phone": locked.phone, "birth_date": locked.birth_date, **changes}
            name, phone = customer_validate(
                name=values["name"], phone=values["phone"], birth_date=values["birth_date"], clock=clock, exclude=locked
            )  # fmt: skip
            locked.name, locked.phone, locked.birth_date = name, phone, values["birth_date"]
            if "email" in contact:
                locked.email = email_clean(contact["email"], exclude=locked)
            if "language" in contact:
                locked.language = language_clean(contact["language"])
            locked.metadata = metadata_merged(locked.metadata, metadata)
            locked.save(update_fields=["name", "phone", "birth_date", "email", "language", "metadata"])
            if locked.user_id:
                User.objects.filter(pk=locked.user_id).update(name=name, phone=phone)
            return locked
    except IntegrityError as error:
        if "email" in contact and Customer.objects.filter(email__iexact=contact["email"]).exclude(pk=customer.pk).exists():
            raise email_taken() from error
        raise _phone_taken() from error


def customer_register(
    *, email: str, password: str, name: str, phone: str, birth_date: date, clock: Clock = default_clock
) -> tuple[Customer, str]:
    """Self-service: a login at this shop plus its customer record; returns the API token."""
    customer_validate(name=name, phone=phone, birth_date=birth_date, clock=clock)
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(
            _("An account with this email exists at this shop."), fields={"email": [_("This email is taken.")]}
        )
    try:
        validate_password(password, User(email=email, name=name))
    except ValidationError as error:
        raise PasswordTooWeak(_("Choose a stronger password."), fields={"password": list(error.messages)}) from error
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, name=name, phone=phone)
            taken = Customer.objects.filter(email__iexact=email).exists()
            customer = customer_create(name=name, phone=phone, birth_date=birth_date, user=user,
                                       email="" if taken else email, clock=clock)  # fmt: skip
            return customer, api_token_issue(user=user)
    except IntegrityError as error:
        raise EmailTaken(_("An account with this email exists at this shop.")) from error


def _raise_invalid(message: str, errors: dict[str, list[str]]) -> None:
    """Malformed input is invalid (400); well-formed dates that cannot be true are a rule (422)."""
    if not errors:
        return
    impossible = {
        _("The date of birth cannot be in the future."),
        _("This date cannot be in the future."),
        _("A pet cannot be adopted before it is born."),
    }
    if all(set(messages) <= impossible for messages in errors.values()):
        raise ImpossibleDate(message, fields=errors)
    raise ValidationFailed(message, fields=errors)


def _phone_taken() -> PhoneTaken:
    return PhoneTaken(
        _("A customer with this phone number is registered already."),
        fields={"phone": [_("This phone number is taken.")]},
    )


def customer_verify_id(*, customer: Customer, verified: bool) -> Customer:
    """Record the outcome of the customer's ID check (verified or rejected)."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        customer.id_verification = IdVerification.VERIFIED if verified else IdVerification.REJECTED
        customer.save(update_fields=["id_verification"])
    return customer


def pet_validate(
    *, name: str, species: str, breed: str, birthday: date | None, adoption_date: date | None, clock: Clock
) -> tuple[str, str]:
    """The cleaned (name, breed) of a new pet, or ValidationFailed with a message per field."""
    errors: dict[str, list[str]] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [_("Enter the pet's name.")]
    elif len(name) > 80:
        errors["name"] = [_("Use at most 80 characters.")]
    elif has_invisible(name):
        errors["name"] = [str(INVISIBLE_MESSAGE)]
    if species not in Species.values:
        errors["species"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Species.values)}]
    breed = breed.strip() if isinstance(breed, str) else ""
    if len(breed) > 80:
        errors["breed"] = [_("Use at most 80 characters.")]
    elif has_invisible(breed):
        errors["breed"] = [str(INVISIBLE_MESSAGE)]
    today = clock.today()
    for field, value in (("birthday", birthday), ("adoption_date", adoption_date)):
        if value is not None and not isinstance(value, date):
            errors[field] = [_("Enter a date.")]
        elif value is not None and value > today:
            errors[field] = [_("This date cannot be in the future.")]
    dates_valid = not errors.keys() & {"birthday", "adoption_date"}
    if dates_valid and birthday is not None and adoption_date is not None and adoption_date < birthday:
        errors["adoption_date"] = [_("A pet cannot be adopted before it is born.")]
    _raise_invalid(_("The pet's details are invalid."), errors)
    return name, breed


def pet_create(
    *,
    owner: Customer | None = None,
    name: str,
    species: str,
    breed: str = "",
    birthday: date | None = None,
    adoption_date: date | None = None,
    metadata: dict | None = None,
    clock: Clock = default_clock,
) -> Pet:
    """Register a pet: the shop's own (no owner yet, waiting for adoption) or a customer's."""
    name, breed = pet_validate(
        name=name, species=species, breed=breed, birthday=birthday, adoption_date=adoption_date, clock=clock
    )
    return Pet.objects.create(
        owner=owner, name=name, species=species, breed=breed, birthday=birthday, adoption_date=adoption_date,
        metadata=metadata_merged({}, metadata),
    )  # fmt: skip


def pet_update(*, pet: Pet, clock: Clock = default_clock, **changes: object) -> Pet:
    """Change a pet's name, species, breed, birthday or adoption date (the fields given)."""
    fields = ("name", "species", "breed", "birthday", "adoption_date")
    metadata = changes.pop("metadata", None)
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationFailed(_("Some fields are invalid."), fields={name: [_("Unknown field.")] for name in unknown})
    with transaction.atomic():
        locked = Pet.objects.select_for_update().get(pk=pet.pk)
        values = {**{field: getattr(locked, field) for field in fields}, **changes}
        values["name"], values["breed"] = pet_validate(**values, clock=clock)
        for field in fields:
            setattr(locked, field, values[field])
        locked.metadata = metadata_merged(locked.metadata, metadata)
        locked.save(update_fields=[*fields, "metadata"])
    return locked


def customer_account_create(*, customer: Customer, email: str, password: str) -> User:
    """A login for a customer registered in the shop (e.g. after signing on their phone)."""
    if customer.user_id is not None:
        raise AccountExists(_("You have an account already; log in with it."))
    email = User.objects.normalize_email(email or "").strip()
    errors: dict[str, list[str]] = {}
    if not email or "@" not in email:
        errors["email"] = [_("Enter an email address.")]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("This email is taken.")]
    if not errors:
        try:
            validate_password(password, User(email=email, name=customer.name))
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if errors:
        raise ValidationFailed(_("The account cannot be created."), fields=errors)
    try:
        with transaction.atomic():
            locked = Customer.objects.select_for_update().get(pk=customer.pk)
            if locked.user_id is not None:
                raise AccountExists(_("You have an account already; log in with it."))
            user = User.objects.create_user(email, password, name=locked.name, phone=locked.phone)
            locked.user = user
            locked.save(update_fields=["user"])
            return user
    except IntegrityError as error:
        raise EmailTaken(_("An account with this email exists at this shop.")) from error


def pet_owner_change(*, pet: Pet, owner: Customer) -> Pet:
    """Give a pet to another customer (never to nobody: a customer's pet is never orphaned).

    Refused while the pet is under an open contract, whose adopter it belongs to.
    """
    if not isinstance(owner, Customer) or owner.pk is None:
        raise ValidationFailed(_("Choose the new owner."), fields={"owner": [_("Choose a customer.")]})
    with transaction.atomic():
        locked = Pet.objects.select_for_update().get(pk=pet.pk)
        open_contract = locked.contracts.filter(status__in=("draft", "signed", "active")).exists()
        if open_contract:
            raise PetUnderContract(
                _("This pet is under an open contract; end or withdraw it before changing the owner."),
                fields={"owner": [_("The pet is under contract.")]},
            )
        locked.owner = owner
        locked.save(update_fields=["owner"])
        return locked
