"""Self-service registration that never tells whether an email or phone is known here.

Starting a registration always answers the same (codes are on their way), whatever exists:
- a new email gets a six-digit code by email, a new phone number another by SMS; the details
  wait (password hashed) in the cache for `CODE_MINUTES`, and confirming both codes creates
  the login and the customer;
- an email that has a login here gets a notice instead ("you already have an account: sign
  in or reset your password"), and a phone number a customer of the shop has gets the same
  notice by SMS, so only the address's or number's owner learns that it exists.
Whoever lacks either code cannot finish, and the refusal is the same whichever was missing.
After five wrong tries the waiting registration is dropped; a number gets at most one text a
minute and `SMS_PER_DAY` a day from registrations (more starts answer the same and send
nothing), so the form cannot be used to flood someone's phone.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
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
from pawpact.customers.contact import language_clean
from pawpact.customers.errors import EmailTaken, PasswordTooWeak, PhoneTaken, VerificationCodeInvalid
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create, customer_validate, phone_normalize

CODE_MINUTES = 30
MAX_ATTEMPTS = 5
SMS_GAP_SECONDS = 60
SMS_PER_DAY = 5
# Sends a text to a phone number: (phone=, text=, out_id=); the API passes messaging's sender.
SmsSend = Callable[..., None]


def _pending_key(email: str) -> str:
    return "registration:" + hashlib.sha256(email.lower().encode()).hexdigest()


def _code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _sms_allowed(phone: str, *, clock: Clock, purpose: str = "registration") -> bool:
    """Counts one `purpose` text to `phone`; False when the number had one for that purpose in
    the last minute or `SMS_PER_DAY` today."""
    # Counted per number, however it is written (13800138000, +8613800138000…), and per purpose:
    # a sign-in code asked for right after registering must still be sent, or the customer holds
    # only a registration code that sign-in refuses.
    key = f"{purpose}-sms:" + hashlib.sha256((phone_normalize(phone) or phone).encode()).hexdigest()
    now = clock.now().timestamp()
    sent = [at for at in cache.get(key, []) if now - at < 86400]
    if (sent and now - sent[-1] < SMS_GAP_SECONDS) or len(sent) >= SMS_PER_DAY:
        return False
    cache.set(key, [*sent, now], 86400)
    return True


def customer_registration_start(
    *, email: str, password: str, name: str, phone: str, birth_date: date, shop_name: str, sms_send: SmsSend,
    email_send: SmsSend | None = None, language: str = "", clock: Clock = default_clock,
) -> None:
    """Check the details, then send a code (or, to a known address or number, a notice) by
    email and by SMS. Raises only for malformed details and weak passwords, the same whether
    the email or phone exists."""
    phone_known = False
    try:
        customer_validate(name=name, phone=phone, birth_date=birth_date, clock=clock)
    except PhoneTaken:
        phone_known = True  # told to the number's owner only, by SMS
    email, language = User.objects.normalize_email(email), language_clean(language)
    try:
        validate_password(password, User(email=email, name=name))
    except ValidationError as error:
        raise PasswordTooWeak(_("Choose a stronger password."), fields={"password": list(error.messages)}) from error
    if not _sms_allowed(phone, clock=clock):
        return  # the codes sent a moment ago still work
    email_code, sms_code = _code(), _code()
    known = User.objects.filter(email__iexact=email).first()
    # A known address or number gets a notice, never a code: nothing can match these digests.
    never = secrets.token_hex(16)
    pending = {
        "email": email, "password": make_password(password), "name": name, "phone": phone,
        "birth_date": birth_date.isoformat(), "attempts": 0, "language": language,
        "code": _code_digest(never if known is not None else email_code),
        "sms_code": _code_digest(never if phone_known else sms_code),
    }  # fmt: skip
    cache.set(_pending_key(email), pending, CODE_MINUTES * 60)
    email_send = email_send or registration_email_send
    if known is not None:  # to the address as the account has it
        email_send(email=known.email, code=None, shop_name=shop_name)
    else:
        email_send(email=email, code=email_code, shop_name=shop_name)
    if phone_known:
        text = _("%(shop)s: this number already has an account here. Sign in instead; if it was not you, ignore "
                 "this message.") % {"shop": shop_name}  # fmt: skip
    else:
        text = _("%(shop)s: your registration code is %(code)s, valid for %(minutes)s minutes. Do not share it.") % {
            "shop": shop_name, "code": sms_code, "minutes": CODE_MINUTES,
        }  # fmt: skip
    sms_send(phone=phone, text=text, out_id="registration-" + secrets.token_hex(8))


def registration_email_send(*, email: str, code: str | None, shop_name: str) -> None:
    """The registration email: the code, or to a known address a notice (code None)."""
    if code is None:
        send_mail(
            _("Your account at %(shop)s") % {"shop": shop_name},
            _("Someone (perhaps you) tried to open an account at %(shop)s with this email address, which already "
              "has one. Sign in, or reset your password if you forgot it. If it was not you, ignore this email.")
            % {"shop": shop_name},
            None, [email],
        )  # fmt: skip
        return
    send_mail(
        _("Your code for %(shop)s: %(code)s") % {"shop": shop_name, "code": code},
        _("Enter %(code)s to finish opening your account at %(shop)s. The code is valid for %(minutes)s minutes.")
        % {"code": code, "shop": shop_name, "minutes": CODE_MINUTES},
        None, [email],
    )  # fmt: skip


def customer_registration_confirm(
    *, email: str, code: str, sms_code: str, device_name: str = "", api_version: str = "",
    clock: Clock = default_clock,
) -> tuple[Customer, IssuedTokens]:
    """Create the login and customer of a started registration whose two codes these are."""
    key = _pending_key(User.objects.normalize_email(email))
    pending = cache.get(key)
    # The same refusal whichever code is wrong: it must not tell which side was a notice.
    wrong = VerificationCodeInvalid(
        _("These codes are wrong or expired."),
        fields={"code": [_("Enter the code from the email we sent.")],
                "sms_code": [_("Enter the code from the text message we sent.")]},
    )  # fmt: skip
    if pending is None or "sms_code" not in pending:
        raise wrong
    email_right = hmac.compare_digest(pending["code"], _code_digest(code))
    sms_right = hmac.compare_digest(pending["sms_code"], _code_digest(sms_code))
    if not (email_right and sms_right):
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
            # The login's address becomes the customer's, unless the shop gave it to another customer.
            taken = Customer.objects.filter(email__iexact=pending["email"]).exists()
            customer = customer_create(
                name=pending["name"], phone=pending["phone"], birth_date=date.fromisoformat(pending["birth_date"]),
                user=user, email="" if taken else pending["email"], language=pending.get("language", ""), clock=clock,
            )  # fmt: skip
            tokens = api_device_sign_in(user=user, name=device_name, api_version=api_version, clock=clock)
    except IntegrityError as error:  # the email was registered meanwhile
        cache.delete(key)
        raise EmailTaken(_("An account with this email exists at this shop.")) from error
    cache.delete(key)
    return customer, tokens


