"""Charging claimed payments on the rails in batches, while the previous batch is recorded.

A remote rail (Alipay, WeChat Pay, Stripe) answers in 100–300 ms and caps a merchant's
requests per second, so a batch of 500 takes about two seconds of calls whatever the
database does. A run (the debit run, the paid-membership renewals) claims a batch in one
transaction, starts its calls here, and records the previous batch's answers while these
calls are under way: the rail's allowance is not left idle while a transaction commits.

Adapters are resolved on the run's thread and the threads only make the calls (each
adapter waits for its place under the rail's limit before every request:
pawpact.payments.throttle), so nothing in a thread touches the database. Local rails (the sandbox,
which records in the database) are called on the run's thread. A run says how one of its
items is charged by subclassing `RailBatchCalls`; `batches_charge` is the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from django.conf import settings

from pawpact.core.errors import DomainError
from pawpact.payments.base import FLOW_LIMITED, ChargeResult, PaymentRail
from pawpact.payments.enums import Rail
from pawpact.payments.registry import rail_for

logger = logging.getLogger(__name__)
T = TypeVar("T")
RAIL_NOT_READY = "rail_not_ready"


class Answers(Generic[T]):
    """One batch's answers, some still arriving."""

    def __init__(self, items: Sequence[T], answers: list[ChargeResult | Future]) -> None:
        self.items = list(items)
        self._answers = answers

    def results(self) -> list[tuple[T, ChargeResult]]:
        """Every item with its answer, in the batch's order, once all have arrived."""
        return [
            (item, answer.result() if isinstance(answer, Future) else answer)
            for item, answer in zip(self.items, self._answers, strict=True)
        ]


class RailBatchCalls(Generic[T]):
    """Thread pools for the remote rails of one run, one per rail, shut down on exit.

    Subclasses give `rail_of` (the rail and mode an item is charged on) and `charge` (ask
    the rail for one item with the adapter given, or resolving its own when None, which
    only happens on the run's thread)."""

    thread_prefix = "rail"
    # A request the provider refused as over its rate did nothing there; it may be asked again
    # with the same key at a later place under the limit (the adapter waits for it), this
    # many tries in all.
    flow_limited_tries = 1

    def __init__(self) -> None:
        self._pools: dict[str, ThreadPoolExecutor] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True)

    def rail_of(self, item: T) -> tuple[str, bool]:
        raise NotImplementedError

    def charge(self, item: T, rail: PaymentRail | None) -> ChargeResult:
        raise NotImplementedError

    def resolve(self, rail_name: str, livemode: bool) -> PaymentRail:
        return rail_for(rail_name, livemode=livemode)

    def local(self, rail_name: str, group: list[T]) -> bool:
        """Whether this group is charged on the run's thread rather than from the pool."""
        return rail_name == Rail.SANDBOX

    def start(self, items: Sequence[T]) -> Answers[T]:
        """Ask the rails for every item; the answers of remote rails arrive in the background."""
        groups: dict[tuple[str, bool], list[int]] = {}
        for index, item in enumerate(items):
            groups.setdefault(self.rail_of(item), []).append(index)
        answers: list[ChargeResult | Future | None] = [None] * len(items)
        for (rail_name, livemode), indexes in groups.items():
            group = [items[index] for index in indexes]
            if self.local(rail_name, group):
                for index in indexes:
                    answers[index] = self.charge(items[index], None)
                continue
            try:
                rail = self.resolve(rail_name, livemode)
            except DomainError:
                logger.exception("Rail %s cannot charge now; %d calls wait", rail_name, len(group))
                for index in indexes:
                    answers[index] = ChargeResult(False, RAIL_NOT_READY, is_unknown=True)
                continue
            pool = self._pool(rail_name)
            for index in indexes:
                answers[index] = pool.submit(self._tries, items[index], rail)
        return Answers(items, answers)  # type: ignore[arg-type]

    def _tries(self, item: T, rail: PaymentRail) -> ChargeResult:
        for _try in range(self.flow_limited_tries):
            result = self.charge(item, rail)
            if result.outcome != FLOW_LIMITED:
                return result
        return result

    def _pool(self, rail_name: str) -> ThreadPoolExecutor:
        if rail_name not in self._pools:
            self._pools[rail_name] = ThreadPoolExecutor(
                max_workers=settings.PAWPACT_RAIL_CONCURRENCY, thread_name_prefix=f"{self.thread_prefix}-{rail_name}"
            )
        return self._pools[rail_name]


def batches_charge(
    batches: Iterable[Sequence[T]],
    *,
    calls: RailBatchCalls[T],
    record: Callable[[list[tuple[T, ChargeResult]]], None],
) -> None:
    """Charge each claimed batch and record its answers, recording a batch while the next one
    is charged. `batches` claims lazily: the next claim commits before the previous batch is
    recorded, so a worker killed anywhere leaves claims a later run resumes under their keys."""
    with calls:
        answered: Answers[T] | None = None
        for batch in batches:
            started = calls.start(batch)
            if answered is not None:
                record(answered.results())
            answered = started
        if answered is not None:
            record(answered.results())
