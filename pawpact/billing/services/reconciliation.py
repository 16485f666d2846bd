"""Reconciliation with the providers: each day's statement, line by line, against our books.

For every rail the shop holds verified credentials for (Alipay, WeChat Pay; each mode), the
day's statement (Beijing day) is downloaded through the rail's adapter and matched by
order number — our out_trade_no / out_request_no, derived from the idempotency key:
- charges: every debit attempt we sent on that rail (any state), deposits and penalties;
  a paid line must be a charge we recorded as paid, for the same amount;
- refunds: every RailRefund (one per refund key);
- charges of apps above billing (the storefront's orders) through
  `settings.PAWPACT_RECONCILIATION_CHARGES`: dotted paths of functions
  `(rail, livemode, start, end) -> Iterable[ChargeRecord]`, so billing imports none of them;
- and everything we recorded as paid or refunded that day must be on the statement.
Mismatch kinds: `missing_here` (the provider moved money our books do not show as moved),
`missing_at_provider` (our books show money the provider did not move), `amount_differs`.
The result crosses to the platform as a `reconciliation.done` outbox event (the console
lists open mismatches with amount and age; the platform ledger check counts them).
Rerunning a day replaces that day's result.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from pawpact.billing.enums import AttemptStatus, JournalKind
from pawpact.billing.models import Contract, DebitAttempt, Journal, RailRefund, Termination
from pawpact.billing.services.activation import deposit_charge_key
from pawpact.billing.services.exit_money import penalty_charge_key
from pawpact.core.clock import Clock, default_clock, local_midnight
from pawpact.core.errors import DomainError
from pawpact.core.events import EventKind
from pawpact.outbox.services import outbox_emit
from pawpact.payments.base import StatementLine
from pawpact.payments.enums import Rail
from pawpact.payments.gateways import out_trade_no
from pawpact.payments.registry import rail_for, rail_ready
from pawpact.payments.stripe import StripeRail, stripe_key_livemode
from pawpact.tenants.ports import StatementLineResult

logger = logging.getLogger(__name__)
STATEMENT_RAILS = (Rail.ALIPAY, Rail.WECHAT)
MISSING_HERE = "missing_here"
MISSING_AT_PROVIDER = "missing_at_provider"
AMOUNT_DIFFERS = "amount_differs"
MATCHED = "matched"
NOT_MATCHED = "not_matched"  # a transfer out: the platform matches it against its payouts


@dataclass(frozen=True)
class Mismatch:
    kind: str
    reference: str  # the order number both sides know
    amount_minor: int  # on the statement (0 when missing there)
    our_amount_minor: int  # in our books (0 when missing here)
    provider_reference: str = ""  # the provider's trade or transaction id ("" when missing there)
    our_record: str = ""  # what our books hold under the order number: debit, deposit, penalty, refund, order
    our_key: str = ""  # that record's idempotency key ("" when missing here)


@dataclass(frozen=True)
class ChargeRecord:
    """One charge an app sent to a rail, as its reconciliation source reports it."""

    idempotency_key: str
    amount_minor: int  # what our books say moved (0: sent, but not recorded as moved)
    moved_at: datetime | None  # when it was recorded as moved
    customer_name: str = ""  # whose money: the console shows it beside the statement's line
    order_number: str = ""  # the order's number, when the charge is an order's


@dataclass(frozen=True)
class _Ours:
    amount_minor: int  # what our books say moved (0: sent, but not recorded as moved)
    on_day: bool  # recorded as moved on the statement's day
    record: str = ""
    key: str = ""
    customer_name: str = ""
    contract_uuid: str = ""
    order_number: str = ""


def _day_bounds(day: date):
    return local_midnight(day), local_midnight(day + timedelta(days=1))


def _our_charges(*, rail: str, livemode: bool, day: date) -> dict[str, _Ours]:
    start, end = _day_bounds(day)
    ours: dict[str, _Ours] = {}
    attempts = DebitAttempt.objects.filter(rail=rail, period__contract__livemode=livemode).values_list(
        "idempotency_key", "status", "amount_minor", "finished_at", "period__contract__uuid",
        "period__contract__customer__name",
    )
    for key, status, amount, finished, contract_uuid, customer in attempts:
        paid = status == AttemptStatus.SUCCEEDED
        ours[out_trade_no(key)] = _Ours(
            amount if paid else 0, paid and finished is not None and start <= finished < end, "debit", key,
            customer, str(contract_uuid),
        )
    contracts = Contract.objects.filter(payment_method__rail=rail, livemode=livemode).select_related(
        "payment_method", "customer"
    )
    held = dict(
        Journal.objects.filter(kind=JournalKind.DEPOSIT_HELD, contract__in=contracts).values_list(
            "contract_id", "created_at"
        )
    )
    for contract in contracts.filter(pk__in=held):
        key = deposit_charge_key(contract, contract.payment_method)
        ours[out_trade_no(key)] = _Ours(contract.deposit_minor, start <= held[contract.pk] < end, "deposit", key,
                                        *_whose(contract))  # fmt: skip
    collected = dict(
        Journal.objects.filter(kind=JournalKind.PENALTY_COLLECTED, contract__in=contracts).values_list(
            "contract_id", "created_at"
        )
    )
    for termination in Termination.objects.filter(contract_id__in=collected, penalty_minor__gt=0).select_related(
        "contract__customer"
    ):
        key = penalty_charge_key(termination.contract, termination.contract.payment_method)
        on_day = start <= collected[termination.contract_id] < end
        whose = _whose(termination.contract)
        ours[out_trade_no(key)] = _Ours(termination.penalty_minor, on_day, "penalty", key, *whose)
    for record in _charges_of_other_apps(rail=rail, livemode=livemode, start=start, end=end):
        moved_on_day = record.moved_at is not None and start <= record.moved_at < end
        ours[out_trade_no(record.idempotency_key)] = _Ours(
            record.amount_minor, moved_on_day, "order", record.idempotency_key, record.customer_name,
            order_number=record.order_number,
        )
    return ours


def _whose(contract: Contract | None) -> tuple[str, str]:
    """(customer's name, contract's uuid) of a record under `contract` (select_related customer)."""
    return (contract.customer.name, str(contract.uuid)) if contract else ("", "")


def _charges_of_other_apps(*, rail: str, livemode: bool, start: datetime, end: datetime) -> Iterable[ChargeRecord]:
    for path in getattr(settings, "PAWPACT_RECONCILIATION_CHARGES", ()):
        yield from import_string(path)(rail=rail, livemode=livemode, start=start, end=end)


def _our_refunds(*, rail: str, livemode: bool, day: date) -> dict[str, _Ours]:
    start, end = _day_bounds(day)
    return {
        out_trade_no(refund.idempotency_key): _Ours(
            -refund.amount_minor, start <= refund.created_at < end, "refund", refund.idempotency_key,
            *_whose(refund.contract),
        )
        for refund in RailRefund.objects.filter(rail=rail, livemode=livemode).select_related("contract__customer")
    }


def statement_results(*, lines: list[StatementLine], ours: dict[str, _Ours], kind: str) -> list[StatementLineResult]:
    """Every line's result against our records of the same `kind`, then each record of ours
    moved on the day that the statement does not list."""
    results, seen = [], set()
    for line in lines:
        seen.add(line.order_no)
        mine = ours.get(line.order_no)
        books = mine.amount_minor if mine else 0
        result = MISSING_HERE if books == 0 else AMOUNT_DIFFERS if books != line.amount_minor else MATCHED
        sent = _sent(mine) if mine else {}
        results.append(StatementLineResult(kind, line.order_no, line.provider_reference[:64], line.amount_minor,
                                           books, result, **sent))  # fmt: skip
    for number, mine in ours.items():
        if mine.on_day and mine.amount_minor and number not in seen:
            results.append(StatementLineResult(kind, number, "", 0, mine.amount_minor, MISSING_AT_PROVIDER,
                                               **_sent(mine)))  # fmt: skip
    return results


def _sent(mine: _Ours) -> dict[str, str]:
    return {"our_record": mine.record, "our_key": mine.key, "customer_name": mine.customer_name,
            "contract_uuid": mine.contract_uuid, "order_number": mine.order_number}  # fmt: skip


def _mismatch(result: StatementLineResult) -> Mismatch:
    return Mismatch(result.result, result.order_no, result.amount_minor, result.our_amount_minor,
                    provider_reference=result.provider_reference, our_record=result.our_record,
                    our_key=result.our_key)  # fmt: skip


def statement_match(*, lines: list[StatementLine], ours: dict[str, _Ours]) -> tuple[int, list[Mismatch]]:
    """(lines matched, mismatches) of one statement against our records of the same kind."""
    results = statement_results(lines=lines, ours=ours, kind="charge")
    return sum(r.result == MATCHED for r in results), [_mismatch(r) for r in results if r.result != MATCHED]


@dataclass(frozen=True)
class Reconciled:
    lines: int
    matched: int
    mismatches: list[Mismatch]
    results: list[StatementLineResult] = field(default_factory=list)


def statement_reconcile(
    *, rail: str, livemode: bool, day: date, lines: list[StatementLine], clock: Clock = default_clock
) -> Reconciled:
    """Match one day's statement of `rail` and tell the platform the result."""
    charges = [line for line in lines if line.kind == "charge"]
    refunds = [line for line in lines if line.kind == "refund"]
    results = statement_results(lines=charges, ours=_our_charges(rail=rail, livemode=livemode, day=day), kind="charge")
    results += statement_results(lines=refunds, ours=_our_refunds(rail=rail, livemode=livemode, day=day),
                                 kind="refund")  # fmt: skip
    # Transfers out are the platform's payouts, matched against its own bill, not a shop's books.
    results += [StatementLineResult(line.kind, line.order_no, line.provider_reference[:64], line.amount_minor, 0,
                                    NOT_MATCHED) for line in lines if line.kind not in ("charge", "refund")]  # fmt: skip
    matched = sum(r.result == MATCHED for r in results)
    mismatches = [_mismatch(r) for r in results if r.result not in (MATCHED, NOT_MATCHED)]
    with transaction.atomic():
        outbox_emit(
            kind=EventKind.RECONCILIATION_DONE, aggregate_uuid=_day_uuid(rail, day), livemode=livemode,
            payload={"provider": rail, "statement_date": day.isoformat(), "lines": len(lines),
                     "matched": matched, "mismatches": [asdict(m) for m in mismatches],
                     "at": clock.now().isoformat()},
        )  # fmt: skip
    if mismatches:
        logger.warning("%s statement of %s: %d mismatch(es)", rail, day, len(mismatches))
    return Reconciled(lines=len(lines), matched=matched, mismatches=mismatches, results=results)


def _day_uuid(rail: str, day: date) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"pawpact:reconciliation:{rail}:{day.isoformat()}")


def reconciliation_run_shop(
    *, day: date | None = None, stripe_lines: list[StatementLine] | None = None, clock: Clock = default_clock
) -> dict[str, int]:
    """Reconcile yesterday (or `day`) for every statement rail the shop can reach; {rail/mode: mismatches}.

    Stripe's balance transactions are one list for the platform's account, fetched once a
    day for all shops (`stripe_statements_by_shop`): `stripe_lines` are this shop's share
    of it, [] when it had none that day, None when the list could not be fetched."""
    day = day or clock.today() - timedelta(days=1)
    results: dict[str, int] = {}
    for rail in STATEMENT_RAILS:
        for livemode in (True, False):
            if not rail_ready(rail, livemode=livemode):
                continue
            try:
                lines = rail_for(rail, livemode=livemode).statement(day=day)
            except DomainError as error:
                logger.warning("%s statement of %s not fetched: %s", rail, day, error.message)
                continue
            reconciled = statement_reconcile(rail=rail, livemode=livemode, day=day, lines=lines, clock=clock)
            results[f"{rail}/{'live' if livemode else 'test'}"] = len(reconciled.mismatches)
    if stripe_lines is not None:
        livemode = stripe_key_livemode()
        reconciled = statement_reconcile(rail=Rail.STRIPE, livemode=livemode, day=day, lines=stripe_lines, clock=clock)
        results[f"{Rail.STRIPE}/{'live' if livemode else 'test'}"] = len(reconciled.mismatches)
    return results


def stripe_statements_by_shop(*, day: date) -> dict[str, list[StatementLine]] | None:
    """Every shop's Stripe lines of `day` from one listing of the platform account's balance
    transactions; None when Stripe is not set up or could not be asked (logged)."""
    livemode = stripe_key_livemode()
    if not rail_ready(Rail.STRIPE, livemode=livemode):
        return None
    try:
        return StripeRail(livemode=livemode).statement_by_shop(day=day)
    except DomainError as error:
        logger.warning("Stripe balance transactions of %s not fetched: %s", day, error.message)
        return None


def statement_import(
    *, rail: str, livemode: bool, day: date, lines: list[StatementLine] | None, clock: Clock = default_clock
) -> Reconciled:
    """One statement the platform admin imports: the lines of an uploaded file, or (None)
    fetched from the provider now (Alipay, WeChat Pay, Stripe). Raises DomainError when the
    rail cannot be reached or refuses."""
    if lines is None:
        lines = rail_for(rail, livemode=livemode).statement(day=day)
    return statement_reconcile(rail=rail, livemode=livemode, day=day, lines=lines, clock=clock)
