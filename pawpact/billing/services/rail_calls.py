"""The rail calls of a debit run, made from threads while the run's own thread records
(the batch skeleton is pawpact.payments.rail_batches, shared with the paid renewals).

A batch's attempts are grouped by rail and mode; a remote rail's group is charged from a
thread pool (the adapter waits for its place under the rail's limit), and a request
refused as over the provider's rate is asked again at a later place, a few tries in all:
past them the attempt stays unknown for the next run. The sandbox, and a rail with a single attempt in the batch, are asked
on the run's thread.
"""

from __future__ import annotations

from pawpact.billing.models import DebitAttempt
from pawpact.billing.services.debits import rail_charge
from pawpact.payments.base import ChargeResult, PaymentRail
from pawpact.payments.enums import Rail
from pawpact.payments.rail_batches import RailBatchCalls

FLOW_LIMITED_TRIES = 3


class RailCalls(RailBatchCalls[DebitAttempt]):
    thread_prefix = "rail"
    flow_limited_tries = FLOW_LIMITED_TRIES

    def rail_of(self, attempt: DebitAttempt) -> tuple[str, bool]:
        return attempt.rail, attempt.period.contract.livemode

    def local(self, rail_name: str, group: list[DebitAttempt]) -> bool:
        return rail_name == Rail.SANDBOX or len(group) == 1

    def charge(self, attempt: DebitAttempt, rail: PaymentRail | None) -> ChargeResult:
        return rail_charge(attempt=attempt, rail=rail)
