"""The rail calls of a debit run, made from threads while the run's own thread records.

A remote rail (Alipay, WeChat Pay, Stripe) answers in 100–300 ms and caps a merchant's
requests per second, so a batch of 500 takes about two seconds of calls whatever the
database does. The run starts a batch's calls before it records the previous batch's
answers: the rail's allowance is not left idle while a transaction commits. Adapters
are resolved on the run's thread and the threads only make the calls, so nothing in a
thread touches the database. Local rails (the sandbox) are called on the run's thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings

from pawpact.billing.models import DebitAttempt
from pawpact.billing.services.debits import rail_charge
from pawpact.core.errors import DomainError
from pawpact.payments.base import FLOW_LIMITED, ChargeResult
from pawpact.payments.enums import Rail
from pawpact.payments.registry import rail_for

logger = logging.getLogger(__name__)


class Charging:
    """One batch's answers, some still arriving."""

    def __init__(self, attempts: list[DebitAttempt], answers: dict[int, ChargeResult | Future]) -> None:
        self.attempts = attempts
        self._answers = answers

    def results(self) -> list[tuple[DebitAttempt, ChargeResult]]:
        """Every attempt with its answer, in the batch's order, once all have arrived."""
        results = []
        for attempt in self.attempts:
            answer = self._answers[attempt.pk]
            results.append((attempt, answer.result() if isinstance(answer, Future) else answer))
        return results


class RailCalls:
    """Thread pools for the remote rails of one run, one per rail, shut down on exit."""

    def __init__(self) -> None:
        self._pools: dict[str, ThreadPoolExecutor] = {}

    def __enter__(self) -> RailCalls:
        return self

    def __exit__(self, *exc) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True)

    def start(self, attempts: list[DebitAttempt]) -> Charging:
        """Ask the rails for every attempt; the answers of remote rails arrive in the background."""
        by_rail: dict[tuple[str, bool], list[DebitAttempt]] = {}
        for attempt in attempts:
            by_rail.setdefault((attempt.rail, attempt.period.contract.livemode), []).append(attempt)
        answers: dict[int, ChargeResult | Future] = {}
        for (rail_name, livemode), group in by_rail.items():
            if rail_name == Rail.SANDBOX or len(group) == 1:
                answers.update((attempt.pk, rail_charge(attempt=attempt)) for attempt in group)
                continue
            try:
                rail = rail_for(rail_name, livemode=livemode)
            except DomainError:
                logger.exception("Rail %s cannot charge now; %d attempts wait", rail_name, len(group))
                answers.update((a.pk, ChargeResult(False, "rail_not_ready", is_unknown=True)) for a in group)
                continue
            pool = self._pool(rail_name)
            answers.update((a.pk, pool.submit(_charge, a, rail)) for a in group)
        return Charging(attempts, answers)

    def _pool(self, rail_name: str) -> ThreadPoolExecutor:
        if rail_name not in self._pools:
            self._pools[rail_name] = ThreadPoolExecutor(
                max_workers=settings.PAWPACT_RAIL_CONCURRENCY, thread_name_prefix=f"rail-{rail_name}"
            )
        return self._pools[rail_name]


# A request the provider refused as over its rate did nothing there; asked again with the
# same key at a later place under the limit (the adapter waits for it). A few tries: past
# them the attempt stays unknown for the next run.
FLOW_LIMITED_TRIES = 3


def _charge(attempt: DebitAttempt, rail) -> ChargeResult:
    for _try in range(FLOW_LIMITED_TRIES):
        result = rail_charge(attempt=attempt, rail=rail)
        if result.outcome != FLOW_LIMITED:
            return result
    return result
