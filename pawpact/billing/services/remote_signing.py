"""Signing on the customer's own phone: staff issue a link, the adopter reads the agreement,
confirms with a one-time SMS code, binds a payment method and the contract starts.

Only the adopter signs: the code goes to the phone on file, so staff holding the shop's
device cannot sign for them. A link lives 72 hours, a newer link replaces an older one,
a used link opens nothing, and five wrong codes lock it (staff then issue a new one).
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import (
    CreditConsentMissing,
    IllegalTransition,
    SigningCodeExpired,
    SigningCodeInvalid,
    SigningCodeTooSoon,
    SigningCodeUsed,
    SigningLinkExpired,
    SigningLinkInvalid,
    SigningLinkUsed,
    SigningLocked,
)
from pawpact.billing.models import Contract, CreditConsent, SigningLink
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.agreements import AGREEMENT_RAILS, AgreementStart, agreement_sign_begin
from pawpact.billing.services.credit import credit_consent_record_by_link
from pawpact.billing.services.queued_activation import activation_queue, queued_notices_send, rail_needs_notice
from pawpact.billing.services.signing import contract_payment_method_add, contract_sign, shop_check_may_sign
from pawpact.core.clock import Clock, default_clock
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send

LINK_LIFETIME = timedelta(hours=72)
CODE_LIFETIME = timedelta(minutes=10)
CODE_RESEND_AFTER = timedelta(seconds=60)
MAX_WRONG_CODES = 5
MAX_CODES_SENT = 10

SIGNING_CODE_TOPIC = "signing_code"


@dataclass(frozen=True)
class CreditConsentGiven:
    """What the signing page asked about the credit check: whether the box was ticked, and
    the shop named in the wording shown."""

    agreed: bool
    shop_name: str


def signing_link_issue(*, contract: Contract, staff: User | None, clock: Clock = default_clock) -> SigningLink:
    """A new link for a credit-checked application (older open links of the contract stop working)."""
    shop_check_may_sign()
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)
        if locked.status not in (ContractStatus.DRAFT, ContractStatus.SIGNED):
            raise IllegalTransition(_("This contract is no longer waiting for the customer."))
        if locked.credit_checked_at is None:
            raise IllegalTransition(_("Run the credit check first: it decides the deposit the customer sees."))
        now = clock.now()
        SigningLink.objects.filter(contract=locked, revoked_at__isnull=True, completed_at__isnull=True).update(
            revoked_at=now
        )
        return SigningLink.objects.create(
            contract=locked,
            token=secrets.token_urlsafe(24),
            created_by=staff,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
            phone=locked.customer.phone,
        )


def signing_link_open(*, token: str, clock: Clock = default_clock) -> SigningLink:
    """The link behind `token` if it may still be used; notes when the customer first opened it."""
    link = (
        SigningLink.objects.select_related("contract__customer", "contract__pet", "contract__plan_version__plan")
        .filter(token=token)
        .first()
        if isinstance(token, str)
        else None
    )
    now = clock.now()
    if link is None or link.revoked_at is not None:
        raise SigningLinkInvalid(_("This signing link is not valid. Ask the shop for a new one."))
    if link.completed_at is not None:
        raise SigningLinkUsed(_("This signing link has been used already."))
    if link.expires_at <= now:
        raise SigningLinkExpired(
            _("This signing link expired. Ask the shop for a new one.")
        )
    if link.opened_at is None:
        SigningLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=now)
        link.opened_at = now
    return link


def _code_hash(link: SigningLink, code: str) -> str:
    return hmac.new(link.token.encode(), code.encode(), hashlib.sha256).hexdigest()


def signing_code_send(*, link: SigningLink, clock: Clock = default_clock) -> SigningLink:
    """Text a new six-digit code to the phone on file (at most once a minute)."""
    with transaction.atomic():
        link = SigningLink.objects.select_for_update().select_related("contract__customer").get(pk=link.pk)
        _check_usable(link)
        now = clock.now()
        if link.code_sent_at is not None and now < link.code_sent_at + CODE_RESEND_AFTER:
            raise SigningCodeTooSoon(
                _("A code was sent less than a minute ago; wait a moment before asking again."),
                fields={"code": [_("Wait a minute before asking for another code.")]},
            )
        if link.codes_sent >= MAX_CODES_SENT:
            raise SigningLocked(_("Too many codes were sent for this link. Ask the shop for a new one."))
        code = f"{secrets.randbelow(1_000_000):06d}"
        link.code_hash = _code_hash(link, code)
        link.code_sent_at = now
        link.codes_sent += 1
        link.save(update_fields=["code_hash", "code_sent_at", "codes_sent"])
        with translation.override(link.contract.customer.message_language):
            message_send(
                customer=link.contract.customer,
                topic=SIGNING_CODE_TOPIC,
                category=Category.SERVICE,
                channels=[Channel.SMS],
                subject="",
                body=_("Your signing code is %(code)s (valid 10 minutes). Do not share it; the shop never asks for it.")
                % {"code": code},
                dedupe_key=f"signing-code:{link.pk}:{link.codes_sent}",
                clock=clock,
            )
    return link


def _check_usable(link: SigningLink) -> None:
    if link.locked_at is not None:
        raise SigningLocked(_("Too many wrong codes: this link is locked. Ask the shop for a new one."))
    if link.verified_at is not None:
        raise SigningCodeUsed(
            _("This agreement is signed already; a code cannot be used twice."),
            fields={"code": [_("Already used.")]},
        )


def signing_sign(
    *, link: SigningLink, code: str, ip: str, user_agent: str, consent: CreditConsentGiven | None = None,
    clock: Clock = default_clock,
) -> SigningLink:  # fmt: skip
    """Check the code; if it matches, the adopter signs (contract_sign) with this link as evidence.

    A wrong code is counted (and committed) before the error is raised; the fifth locks the link.
    With `consent` (the signing page, which shows the credit-check wording where the contract
    has no consent yet), a missing agreement refuses with nothing written, and a given one is
    recorded with the signature, in the same transaction.
    """
    error = _code_check(link=link, code=code, clock=clock)
    if error is not None:
        raise error
    # After the code (a right code is not used up by this refusal, so the customer ticks and sends it again).
    missing = consent is not None and not CreditConsent.objects.filter(contract_id=link.contract_id).exists()
    if missing and not consent.agreed:
        raise CreditConsentMissing(
            _("Agree to the credit check to sign."), fields={"consent": [_("Tick the box to agree.")]}
        )
    with transaction.atomic():
        link = SigningLink.objects.select_for_update().select_related("contract__customer").get(pk=link.pk)
        _check_usable(link)
        contract = link.contract
        if contract.status == ContractStatus.DRAFT and consent is not None and consent.agreed:
            credit_consent_record_by_link(contract=contract, shop_name=consent.shop_name, ip=ip, user_agent=user_agent,
                                          clock=clock)  # fmt: skip
        if contract.status == ContractStatus.DRAFT:
            contract_sign(
                contract=contract, signer_name=contract.customer.name, ip=ip, user_agent=user_agent, clock=clock
            )
        link.verified_at = clock.now()
        link.signed_ip = ip
        link.signed_user_agent = (user_agent or "")[:255]
        link.save(update_fields=["verified_at", "signed_ip", "signed_user_agent"])
    return link


def _code_check(*, link: SigningLink, code: str, clock: Clock) -> Exception | None:
    """None when `code` is right; otherwise the error to raise, after the wrong try is stored."""
    with transaction.atomic():
        link = SigningLink.objects.select_for_update().get(pk=link.pk)
        _check_usable(link)
        now = clock.now()
        code = code.strip() if isinstance(code, str) else ""
        if not link.code_hash or link.code_sent_at is None or now > link.code_sent_at + CODE_LIFETIME:
            return SigningCodeExpired(
                _("Ask for a code first; a code is valid for 10 minutes."),
                fields={"code": [_("No valid code was sent.")]},
            )
        if hmac.compare_digest(link.code_hash, _code_hash(link, code)):
            return None
        link.wrong_codes += 1
        left = MAX_WRONG_CODES - link.wrong_codes
        if left <= 0:
            link.locked_at = now
        link.save(update_fields=["wrong_codes", "locked_at"])
    if left <= 0:
        return SigningLocked(_("Too many wrong codes: this link is locked. Ask the shop for a new one."))
    wrong = _("Wrong code; %(left)d tries left.") % {"left": left}
    return SigningCodeInvalid(wrong, fields={"code": [wrong]})


def signing_pay(
    *, link: SigningLink, rail: str, token: str, label: str = "", clock: Clock = default_clock
) -> Contract:
    """Bind the customer's payment method and start the contract (deposit if due, period 1).

    A declined charge raises PaymentFailed and leaves the contract signed: the customer
    may try another method on the same link.
    """
    link = _link_signed_open(link)
    contract = contract_payment_method_add(contract=link.contract, rail=rail, token=token, label=label)
    contract = contract_activate(contract=contract, clock=clock)
    SigningLink.objects.filter(pk=link.pk, completed_at__isnull=True).update(completed_at=clock.now())
    return contract


def _link_signed_open(link: SigningLink) -> SigningLink:
    link = SigningLink.objects.select_related("contract__payment_method").get(pk=link.pk)
    if link.verified_at is None:
        raise IllegalTransition(_("Sign the agreement with the SMS code first."))
    if link.completed_at is not None:
        raise SigningLinkUsed(_("This signing link has been used already."))
    return link


def signing_agreement_begin(*, link: SigningLink, rail: str, return_url: str = "") -> AgreementStart:
    """The provider's page where the customer signs the debit agreement for the plan they
    just signed (Alipay 周期扣款, WeChat 委托代扣); its notification attaches the agreement."""
    link = _link_signed_open(link)
    return agreement_sign_begin(contract=link.contract, rail=rail, return_url=return_url)


def signing_agreement_attached(link: SigningLink) -> bool:
    """Whether the provider's signing notification has attached a debit agreement to the contract."""
    method = Contract.objects.select_related("payment_method").get(pk=link.contract_id).payment_method
    return method is not None and method.rail in AGREEMENT_RAILS and method.is_active


def signing_agreement_activate(*, link: SigningLink, clock: Clock = default_clock) -> Contract:
    """Start the plan on the attached debit agreement: deposit (if due) and period 1 are
    debited through Alipay or WeChat Pay, as with a card. A rail that debits only after a
    notice given the day before (WeChat) queues the contract instead: the notice goes out now
    and the activation job starts the plan once it may (queued_activation)."""
    link = _link_signed_open(link)
    if not signing_agreement_attached(link):
        raise IllegalTransition(_("The debit agreement is not signed yet."))
    if rail_needs_notice(link.contract.payment_method.rail):
        contract = activation_queue(contract=link.contract, clock=clock)
        queued_notices_send(clock=clock)
    else:
        contract = contract_activate(contract=link.contract, clock=clock)
    SigningLink.objects.filter(pk=link.pk, completed_at__isnull=True).update(completed_at=clock.now())
    return contract
