"""Facts the platform layer needs, written in the caller's transaction."""
import uuid

from pawpact.billing.models import OutboxEvent


class OutboxKind:
    CONTRACT_SIGNED = "contract.signed"
    CONTRACT_TERMINATED = "contract.terminated"
    DEBIT_PAID = "debit.paid"
    DEBIT_FAILED = "debit.failed"
    PERIOD_OVERDUE = "period.overdue"
    PERIOD_RECOVERED = "period.recovered"
    PERIOD_WRITTEN_OFF = "period.written_off"
    CONTRACT_RENEWED = "contract.renewed"


def outbox_emit(*, kind: str, aggregate_uuid: uuid.UUID, payload: dict) -> OutboxEvent:
    return OutboxEvent.objects.create(kind=kind, aggregate_uuid=aggregate_uuid, payload=payload)
