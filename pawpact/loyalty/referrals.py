"""Referrals: a customer's code, the newcomer who comes with it, the rewards when they sign.

A newcomer (no plan started yet) enters a code before signing; one's own code (the same
customer or the same phone) and loops (A referred B, B may not refer A, nor anyone up
A's chain) are refused. Billing asks `deposit_discount` when it decides the deposit
(settings.PAWPACT_DEPOSIT_DISCOUNTS): a pending referral takes ¥200 off it. When the
newcomer's contract starts (`contract.signed`, published once period 1 is paid) the
referral converts once: `referral.converted` goes to the shop's subscribers (the points
ledger awards the referrer 1,000 points, once per referred customer) and ¥50 comes off
the referrer's next debit (`referral.credit:<uuid>`, once). A referrer without an active
plan gets the ¥50 when their own plan starts. A referral that never converts gives nothing.
"""
from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import OPEN_CONTRACT_STATUSES, ContractStatus, JournalKind
from pawpact.billing.models import Contract
from pawpact.billing.services.debit_credits import next_debit_credit_apply
from pawpact.core.clock import Clock, default_clock
from pawpact.core.events import EventKind
from pawpact.customers.models import Customer
from pawpact.loyalty.errors import ReferralRefused
from pawpact.loyalty.points import REFERRAL_POINTS
from pawpact.loyalty.wallet_models import Referral, ReferralCode, ReferralStatus
from pawpact.outbox.services import shop_event_publish

DEPOSIT_DISCOUNT_MINOR = 20_000  # ¥200 off the newcomer's deposit
REFERRER_CREDIT_MINOR = 5_000  # ¥50 off the referrer's next debit
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a poster
_MAX_CHAIN = 100


def code_for(*, customer: Customer, clock: Clock = default_clock) -> ReferralCode:
    """The customer's code, made on first use."""
    existing = ReferralCode.objects.filter(customer=customer).first()
    while existing is None:
        code = "".join(secrets.choice(_ALPHABET) for _n in range(8))
        try:
            with transaction.atomic():
                existing = ReferralCode.objects.create(customer=customer, code=code, created_at=clock.now())
        except IntegrityError:  # a clash of codes, or a concurrent first use: look again
            existing = ReferralCode.objects.filter(customer=customer).first()
    return existing


def claim(*, newcomer: Customer, code: str, clock: Clock = default_clock) -> Referral:
    """Record that `newcomer` came with `code`; the same code again returns the same referral."""
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    with transaction.atomic():
        owner = ReferralCode.objects.select_related("customer").filter(code=code).first()
        if owner is None:
            raise ReferralRefused(_("This referral code is not known here."), fields={"code": [_("Unknown code.")]})
        referrer = owner.customer
        existing = Referral.objects.select_for_update().filter(referred=newcomer).first()
        if existing is not None:
            if existing.referrer_id == referrer.pk:
                return existing
            raise ReferralRefused(_("You were already referred by someone else."), fields={"code": [_("Already referred.")]})
        if referrer.pk == newcomer.pk or (referrer.phone and referrer.phone == newcomer.phone):
            raise ReferralRefused(_("You cannot use your own referral code."), fields={"code": [_("Your own code.")]})
        if _in_chain(newcomer_id=newcomer.pk, referrer_id=referrer.pk):
            raise ReferralRefused(_("This code belongs to someone you referred."), fields={"code": [_("A loop.")]})
        if Contract.objects.filter(customer=newcomer, activated_at__isnull=False).exists():
            raise ReferralRefused(_("Referral codes are for newcomers signing their first plan."),
                                  fields={"code": [_("Not a newcomer.")]})  # fmt: skip
        return Referral.objects.create(referrer=referrer, referred=newcomer, code=code, created_at=clock.now())


def _in_chain(*, newcomer_id: int, referrer_id: int) -> bool:
    """Whether the newcomer is the referrer or anyone who (indirectly) referred them."""
    current = referrer_id
    for _step in range(_MAX_CHAIN):
        if current == newcomer_id:
            return True
        current = Referral.objects.filter(referred_id=current).values_list("referrer_id", flat=True).first()
        if current is None:
            return False
    return True  # a chain this long is refused rather than followed further


def deposit_discount(*, contract: Contract) -> int:
    """What comes off the contract's deposit for a pending referral (billing asks when it sets the deposit)."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("contract").filter(
        referred_id=contract.customer_id, status=ReferralStatus.PENDING
    ).first()
    if referral is None:
        return 0
    held_by = referral.contract
    if held_by is not None and held_by.pk != contract.pk and held_by.status in OPEN_CONTRACT_STATUSES:
        return 0  # one discounted deposit per newcomer: another open application has it
    discount = min(DEPOSIT_DISCOUNT_MINOR, contract.plan_version.deposit_minor)
    Referral.objects.filter(pk=referral.pk).update(contract=contract, deposit_discount_minor=discount)
    return discount


# --- Conversion (settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS, "contract.signed") ---------------------------------


def referral_on_contract_signed(*, payload: dict, clock: Clock = default_clock) -> None:
    """A plan started: convert the customer's pending referral; pay a referrer's credit still owed."""
    customer = Customer.objects.filter(uuid=payload["customer_uuid"]).first()
    if customer is None:
        return
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("referrer", "referred").filter(
            referred=customer, status=ReferralStatus.PENDING
        ).first()
        if referral is not None:
            referral.status, referral.converted_at = ReferralStatus.CONVERTED, clock.now()
            referral.contract = Contract.objects.filter(uuid=payload["contract_uuid"]).first() or referral.contract
            referral.referrer_points = REFERRAL_POINTS
            referral.save(update_fields=["status", "converted_at", "contract", "referrer_points"])
            shop_event_publish(kind=EventKind.REFERRAL_CONVERTED, clock=clock, payload={
                "referrer_uuid": str(referral.referrer.uuid), "referred_uuid": str(customer.uuid),
                "contract_uuid": payload["contract_uuid"], "at": clock.now().isoformat(),
            })  # fmt: skip
            _credit_referrer(referrer_id=referral.referrer_id)
        _credit_referrer(referrer_id=customer.pk)


def _credit_referrer(*, referrer_id: int) -> None:
    """¥50 off the next debit for each converted referral of this referrer not credited yet."""
    contract = (
        Contract.objects.filter(customer_id=referrer_id, status=ContractStatus.ACTIVE).order_by("activated_at").first()
    )
    if contract is None:
        return
    owed = Referral.objects.select_for_update().filter(
        referrer_id=referrer_id, status=ReferralStatus.CONVERTED, referrer_credit_minor=0
    )
    for referral in owed:
        journal = next_debit_credit_apply(
            contract=contract, amount_minor=REFERRER_CREDIT_MINOR, key=f"{JournalKind.REFERRAL_CREDIT}:{referral.uuid}",
            kind=JournalKind.REFERRAL_CREDIT, memo=f"referral reward for {referral.referred.name}",
        )  # fmt: skip
        if journal is not None:
            Referral.objects.filter(pk=referral.pk).update(referrer_credit_minor=REFERRER_CREDIT_MINOR)

