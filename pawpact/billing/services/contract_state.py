"""The contract's state machine: one transition table and one locking step, used by
signing, activation, every exit, withdrawal and shop closure.

draft → signed → active → (completed | terminated_early | terminated_pet_loss |
cancelled_cooling_off | defaulted); a draft or signed contract that never starts is
withdrawn. Renewals are new contracts. A move the table does not allow raises
IllegalTransition before anything is written.

Kept as a plain table rather than django-fsm-2: the services already own every write
under a row lock, and a decorator on model methods would put side effects on the model.
"""
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import Contract

CONTRACT_TRANSITIONS: dict[str, frozenset[str]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.SIGNED, ContractStatus.WITHDRAWN}),
    ContractStatus.SIGNED: frozenset({ContractStatus.ACTIVE, ContractStatus.WITHDRAWN}),
    ContractStatus.ACTIVE: frozenset(
        {
            ContractStatus.COMPLETED,
            ContractStatus.TERMINATED_EARLY,
            ContractStatus.TERMINATED_PET_LOSS,
            ContractStatus.CANCELLED_COOLING_OFF,
            ContractStatus.DEFAULTED,
        }
    ),
}


def contract_transition_check(*, current: str, target: ContractStatus) -> None:
    """IllegalTransition unless the table allows current → target."""
    if target not in CONTRACT_TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            _("A contract that is “%(current)s” cannot become “%(target)s”.")
            % {"current": ContractStatus(current).label, "target": ContractStatus(target).label}
        )


def contract_lock(*, contract: Contract, target: ContractStatus) -> Contract:
    """The contract's row, locked, if it may move to `target`. Call inside a transaction."""
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("customer", "pet", "plan_version__plan", "payment_method")
        .get(pk=contract.pk)
    )
    contract_transition_check(current=locked.status, target=target)
    return locked
