"""Holds placed by staff on one contract's shipments, and their release.

A hold stops the contract's boxes (pawpact.billing.holds.contract_holds tells the
shipping side) without touching its debits: the customer keeps the plan and its price,
the warehouse ships nothing until the hold is released.
"""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import AlreadyOnHold, IllegalTransition
from pawpact.billing.models import Contract, ContractHold
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed


def contract_hold_place(*, contract: Contract, reason: str, staff: User | None, clock: Clock = default_clock) -> ContractHold:
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ValidationFailed(_("Some fields are invalid."), fields={"reason": [_("Say why, in 2 to 200 characters.")]})
    try:
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            if locked.status != ContractStatus.ACTIVE:
                raise IllegalTransition(_("Only a contract in force can be held."))
            return ContractHold.objects.create(contract=locked, reason=reason, placed_by=staff, placed_at=clock.now())
    except IntegrityError as error:
        raise AlreadyOnHold(_("This contract is on hold already.")) from error


def contract_hold_release(*, contract: Contract, staff: User | None, clock: Clock = default_clock) -> ContractHold:
    with transaction.atomic():
        hold = ContractHold.objects.select_for_update().filter(contract=contract, released_at__isnull=True).first()
        if hold is None:
            raise IllegalTransition(_("This contract is not on hold."))
        hold.released_at, hold.released_by = clock.now(), staff
        hold.save(update_fields=["released_at", "released_by"])
    return hold

