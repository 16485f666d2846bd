"""Billing's implementation of the platform's ShopSide interface (pawpact.tenants.ports)."""
from datetime import date

from pawpact.billing.enums import AttemptStatus
from pawpact.billing.models import DebitAttempt
from pawpact.billing.services.debits import attempt_finish
from pawpact.billing.services.reconciliation import statement_import
from pawpact.billing.tasks import shop_closure_enqueue
from pawpact.messaging.delivery import provider_credentials_check
from pawpact.payments.base import ChargeResult, StatementLine
from pawpact.payments.stripe import decline_type_for
from pawpact.tenants.ports import PaymentEventOutcome, StatementOutcome


class BillingShopSide:
    def payment_event_apply(self, *, succeeded: bool, payment: dict) -> PaymentEventOutcome:
        attempt = _attempt_for(payment.get("metadata") or {})
        if attempt is None:
            return PaymentEventOutcome(PaymentEventOutcome.IGNORED, "no debit attempt for this payment")
        if payment.get("amount") != attempt.amount_minor:
            return PaymentEventOutcome(
                PaymentEventOutcome.REJECTED, f"amount {payment.get('amount')} != attempt {attempt.amount_minor}"
            )
        was_open = attempt.status == AttemptStatus.STARTED
        attempt = attempt_finish(attempt_id=attempt.pk, result=_result_of(succeeded, payment))
        note = "" if was_open else f"attempt already {attempt.status}: left unchanged"
        return PaymentEventOutcome(PaymentEventOutcome.APPLIED, note)

    def closure_start(self, *, schema_name: str) -> None:
        shop_closure_enqueue(schema_name=schema_name)

    def messaging_credentials_check(self, *, credentials, livemode: bool) -> str:
        return provider_credentials_check(credentials=credentials, livemode=livemode)

    def statement_import(self, *, rail: str, livemode: bool, day: date, lines: list[StatementLine] | None):
        reconciled = statement_import(rail=rail, livemode=livemode, day=day, lines=lines)
        return StatementOutcome(lines=reconciled.lines, matched=reconciled.matched,
                                mismatches=len(reconciled.mismatches), results=tuple(reconciled.results))  # fmt: skip


def _attempt_for(metadata: dict) -> DebitAttempt | None:
    key = str(metadata.get("idempotency_key", ""))
    attempt_id = str(metadata.get("attempt_id", ""))
    if attempt_id.isdigit():
        attempt = DebitAttempt.objects.filter(pk=int(attempt_id)).first()
        # The key is the stronger identity: an id alone could point at another attempt.
        if attempt is not None and key and attempt.idempotency_key != key:
            return None
        return attempt
    return DebitAttempt.objects.filter(idempotency_key=key).first() if key else None


def _result_of(succeeded: bool, payment: dict) -> ChargeResult:
    reference = str(payment.get("id", ""))
    if succeeded:
        return ChargeResult(succeeded=True, outcome="succeeded", reference=reference)
    error = payment.get("last_payment_error") or {}
    reason = error.get("decline_code") or error.get("code") or "payment_failed"
    return ChargeResult(succeeded=False, outcome=reason, reference=reference, decline_type=decline_type_for(reason))
