"""Withdrawal: a draft or signed contract that will not start becomes WITHDRAWN.

The way out of an application, and of a signed contract whose first debit failed while a
deposit is held: the customer or staff withdraws it (API and pages), or the platform's shop
closure does. Its calendar, if activation made one, is cancelled; a held deposit is refunded
through the rail with journal deposit.refunded:{uuid} (DEPOSITS_HELD +deposit, CASH −deposit).
Nothing was booked as receivable (only a paid period 1 activates a contract), and the
platform never heard of it, so no other journal and no outbox event. The pet is free for
another contract.
"""
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import OPEN_CONTRACT_STATUSES, ContractStatus, DepositStatus, PeriodStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import Contract, DebitPeriod
from pawpact.billing.services.agreements import AGREEMENT_RAILS, agreement_end
from pawpact.billing.services.contract_state import contract_lock
from pawpact.billing.services.exit_money import deposit_refund
from pawpact.billing.services.termination import OPEN_PERIOD_STATUSES, no_debit_in_flight_check
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError, PermissionDenied

logger = logging.getLogger(__name__)


def contract_withdraw(
    *, contract: Contract, requested_by: User | None = None, clock: Clock = default_clock
) -> Contract:
    """Withdraw a draft or signed contract: WITHDRAWN, its calendar cancelled, a held deposit
    refunded. A customer account may withdraw its own contract only; staff any of the shop's."""
    with transaction.atomic():
        locked = contract_lock(contract=contract, target=ContractStatus.WITHDRAWN)
        if requested_by is not None and not requested_by.is_staff and locked.customer.user_id != requested_by.pk:
            raise PermissionDenied(_("You can only withdraw your own contract."))
        no_debit_in_flight_check(contract=locked)
        periods = DebitPeriod.objects.select_for_update().filter(contract=locked)
        if periods.filter(status=PeriodStatus.PAID).exists():
            raise IllegalTransition(_("Period 1 of this contract is paid: start it instead of withdrawing it."))
        periods.filter(status__in=OPEN_PERIOD_STATUSES).update(status=PeriodStatus.CANCELLED, next_retry_on=None)
        update_fields = ["status", "ended_at"]
        if locked.deposit_status == DepositStatus.HELD and locked.deposit_minor:
            deposit_refund(contract=locked)
            locked.deposit_status = DepositStatus.REFUNDED
            update_fields.append("deposit_status")
        locked.status = ContractStatus.WITHDRAWN
        locked.ended_at = clock.now()
        locked.activation_queued_at = None
        update_fields.append("activation_queued_at")
        locked.save(update_fields=update_fields)
    _agreement_release(locked)
    return locked


def _agreement_release(contract: Contract) -> None:
    """A debit agreement signed for this contract alone is unsigned at the provider: the
    customer must not keep an authorisation to debit for a plan that never started. A
    provider that does not answer leaves it for the ledger of agreements; the withdrawal stands."""
    method = contract.payment_method
    if method is None or method.rail not in AGREEMENT_RAILS or not method.is_active:
        return
    if Contract.objects.filter(payment_method=method, status__in=OPEN_CONTRACT_STATUSES).exists():
        return
    try:
        agreement_end(payment_method=method, reason="withdrawn")
    except DomainError as error:
        logger.warning("agreement %s of withdrawn contract %s not ended: %s", method.pk, contract.pk, error.message)
