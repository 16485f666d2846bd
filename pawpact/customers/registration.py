"""Self-service registration that never tells whether an email or phone is known here.

Starting a registration always answers the same (a code is on its way), whatever exists:
- a new email gets a six-digit code; the details wait (password hashed) in the cache for
  `CODE_MINUTES`, and confirming the code creates the login and the customer;
- an email that has a login here gets a notice instead ("you already have an account: sign
  in or reset your password"), so only the address's owner learns it exists.
A phone number that another customer has is refused only at confirmation, that is to
someone who proved they read the email, and after a wrong code five times the waiting
registration is dropped.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.accounts.services import IssuedTokens, api_device_sign_in
from pawpact.core.clock import Clock, default_clock
from pawpact.customers.errors import EmailTaken, PasswordTooWeak, PhoneTaken, VerificationCodeInvalid
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create, customer_validate

CODE_MINUTES = 30
MAX_ATTEMPTS = 5


def _pending_key(email: str) -> str:
    return "registration:" + hashlib.sha256(email.lower().encode()).hexdigest()


def _code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def customer_registration_start(
    *, email: str, password: str, name: str, phone: str, birth_date: date, shop_name: str, clock: Clock = default_clock
) -> None:
    """Check the details, then mail a code (or, to a known address, a notice). Raises only for
    malformed details and weak passwords, the same whether the email or phone exists."""
    try:
        customer_validate(name=name, phone=phone, birth_date=birth_date, clock=clock)
    except PhoneTaken:
        pass  # told only after the email is proven (customer_registration_confirm)
    email = User.objects.normalize_email(email)
    try:
        validate_password(password, User(email=email, name=name))
    except ValidationError as error:
        raise PasswordTooWeak(_("Choose a stronger password."), fields={"password": list(error.messages)}) from error
    known = User.objects.filter(email__iexact=email).first()
    if known is not None:
        send_mail(
            _("Your account at %(shop)s") % {"shop": shop_name},
            _("Someone (perhaps you) tried to open an account at %(shop)s with this email address, which already "
              "has one. Sign in, or reset your password if you forgot it. If it was not you, ignore this email.")
            % {"shop": shop_name},
            None, [known.email],
        )  # fmt: skip
        return
    code = f"{secrets.randbelow(10**6):06d}"
    pending = {
        "email": email, "password": make_password(password), "name": name, "phone": phone,
        "birth_date": birth_date.isoformat(), "code": _code_digest(code), "attempts": 0,
    }  # fmt: skip
    cache.set(_pending_key(email), pending, CODE_MINUTES * 60)
    send_mail(
        _("Your code for %(shop)s: %(code)s") % {"shop": shop_name, "code": code},
        _("Enter %(code)s to finish opening your account at %(shop)s. The code is valid for %(minutes)s minutes.")
        % {"code": code, "shop": shop_name, "minutes": CODE_MINUTES},
        None, [email],
    )  # fmt: skip


def customer_registration_confirm(
    *, email: str, code: str, device_name: str = "", api_version: str = "", clock: Clock = default_clock
) -> tuple[Customer, IssuedTokens]:
    """Create the login and customer of a started registration whose code this is."""
    key = _pending_key(User.objects.normalize_email(email))
    pending = cache.get(key)
    wrong = VerificationCodeInvalid(
        _("This code is wrong or expired."), fields={"code": [_("Enter the code from the email we sent.")]}
    )
    if pending is None:
        raise wrong
    if not hmac.compare_digest(pending["code"], _code_digest(code)):
        pending["attempts"] += 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            cache.delete(key)
        else:
            cache.set(key, pending, CODE_MINUTES * 60)
        raise wrong
    try:
        with transaction.atomic():
            user = User(email=pending["email"], name=pending["name"], phone=pending["phone"])
            user.password = pending["password"]
            user.save()
            customer = customer_create(
                name=pending["name"], phone=pending["phone"], birth_date=date.fromisoformat(pending["birth_date"]),
                user=user, clock=clock,
            )  # fmt: skip
            tokens = api_device_sign_in(user=user, name=device_name, api_version=api_version, clock=clock)
    except IntegrityError as error:  # the email was registered meanwhile
        cache.delete(key)
        raise EmailTaken(_("An account with this email exists at this shop.")) from error
    cache.delete(key)
    return customer, tokens


