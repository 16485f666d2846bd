"""Phone-first sign-in: a six-digit code texted to the number is all a customer needs (no
email, no password). A known customer is signed in; a customer registered at the counter
gets a login on first use; an unknown number registers with `name` and `birth_date`.

Asking for a code answers the same whatever the number is, so the form tells nobody who is a
customer; only who holds the phone learns it, after the code. Sign-in texts have registration's
limits (one a minute, `SMS_PER_DAY` a day per number), counted apart from registration's, so a
code can be asked for right after registering; after `MAX_ATTEMPTS` wrong codes the code is
dropped, and the API applies allauth's failed-login lockout as on a password login.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.accounts.services import IssuedTokens, api_device_sign_in
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.errors import PhoneNotValid, RegistrationDetailsRequired, VerificationCodeInvalid
from pawpact.customers.models import Customer
from pawpact.customers.registration import SmsSend, _code, _code_digest, _sms_allowed
from pawpact.customers.services import customer_create, phone_normalize, phone_problem

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
# Logins made from a phone alone have no address: this reserved domain (RFC 2606) never
# receives mail, and the API shows such an email as "".
PHONE_LOGIN_DOMAIN = "phone.invalid"
# What the API's phone field lets through: a mainland mobile or a number in E.164 form.
PHONE_WELL_FORMED = re.compile(r"^(?:(?:\+?86)?1[3-9][0-9]{9}|\+[1-9][0-9]{7,14})$")


@dataclass
class PhoneSignIn:
    customer: Customer
    tokens: IssuedTokens
    created: bool  # a new customer was registered


def _key(phone: str) -> str:
    return "phone-sign-in:" + hashlib.sha256(phone.encode()).hexdigest()


def phone_checked(phone) -> str:
    """The stored form of the number; a malformed one is ValidationFailed (400), a well-formed
    one no carrier can have (`+10000000000`) PhoneNotValid (422), as at registration."""
    normalized = phone_normalize(phone) if isinstance(phone, str) else None
    if normalized is None:
        problem = phone_problem(phone) or _("Enter a mobile number.")
        well_formed = isinstance(phone, str) and PHONE_WELL_FORMED.match(phone.strip())
        refused = PhoneNotValid if well_formed else ValidationFailed
        raise refused(_("The phone number is invalid."), fields={"phone": [problem]})
    return normalized


def phone_code_send(*, phone: str, shop_name: str, sms_send: SmsSend, clock: Clock = default_clock) -> None:
    """Text a sign-in code to the number (within the sign-in texting limits; beyond them nothing
    is sent and the sign-in code sent before still works)."""
    normalized = phone_checked(phone)
    if not _sms_allowed(normalized, clock=clock, purpose="sign-in"):
        return
    code = _code()
    cache.set(_key(normalized), {"code": _code_digest(code), "attempts": 0}, CODE_MINUTES * 60)
    text = _("%(shop)s: your sign-in code is %(code)s, valid for %(minutes)s minutes. Do not share it.") % {
        "shop": shop_name, "code": code, "minutes": CODE_MINUTES,
    }  # fmt: skip
    sms_send(phone=normalized, text=text, out_id="sign-in-" + secrets.token_hex(8))


def _code_check(normalized: str, code: str) -> None:
    key = _key(normalized)
    pending = cache.get(key)
    wrong = VerificationCodeInvalid(
        _("This code is wrong or expired."), fields={"code": [_("Enter the code from the text message we sent.")]}
    )
    if pending is None:
        raise wrong
    if not hmac.compare_digest(pending["code"], _code_digest(str(code))):
        pending["attempts"] += 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            cache.delete(key)
        else:
            cache.set(key, pending, CODE_MINUTES * 60)
        raise wrong


def phone_sign_in(
    *, phone: str, code: str, name: str = "", birth_date: date | None = None, language: str = "",
    device_name: str = "", api_version: str = "", clock: Clock = default_clock,
) -> PhoneSignIn:  # fmt: skip
    """Sign the number's customer in on a new device (registering them first when the number is
    new here and `name` and `birth_date` are given). The code works once."""
    normalized = phone_checked(phone)
    _code_check(normalized, code)
    created = False
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(phone=normalized).first()
        if customer is None:
            if not name or birth_date is None:
                # The code stays valid: the frontend asks for the details and sends them with it.
                raise RegistrationDetailsRequired(
                    _("This number is new here: add a name and a date of birth to register."),
                    fields={key: [_("Required to register.")] for key in ("name", "birth_date")
                            if not (name if key == "name" else birth_date)},
                )  # fmt: skip
            customer = customer_create(name=name, phone=normalized, birth_date=birth_date, language=language,
                                       user=_phone_login(normalized, name), clock=clock)  # fmt: skip
            created = True
        elif customer.user_id is None:
            customer.user = _phone_login(normalized, customer.name)
            customer.save(update_fields=["user"])
        user = customer.user
        if not user.is_active:
            disabled = _("This login is disabled. Ask the shop.")
            raise VerificationCodeInvalid(disabled, fields={"phone": [_("Disabled.")]})
        tokens = api_device_sign_in(user=user, name=device_name, api_version=api_version, clock=clock)
    cache.delete(_key(normalized))
    return PhoneSignIn(customer=customer, tokens=tokens, created=created)


def _phone_login(normalized: str, name: str) -> User:
    """A login without email or password (signing in needs the phone's code each time)."""
    email = f"{normalized.lstrip('+')}@{PHONE_LOGIN_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is not None and not Customer.objects.filter(user=user).exists():
        return user
    if user is not None:  # the number's former customer keeps that login
        email = f"{normalized.lstrip('+')}.{secrets.token_hex(4)}@{PHONE_LOGIN_DOMAIN}"
    user = User(email=email, name=name, phone=normalized)
    user.set_unusable_password()
    user.save()
    return user
