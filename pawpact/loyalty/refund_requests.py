"""A customer asks for the paid part of their stored value back; staff close the request
once they have refunded it (stored_value.refund, at the counter or in the back office), or
decline it with a reason. The request itself moves no money."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.customers.models import Customer
from pawpact.loyalty.errors import RefundRequestRefused
from pawpact.loyalty.refund_request_models import RefundRequestStatus, StoredValueRefundRequest
from pawpact.loyalty.wallet_models import StoredValueAccount, StoredValueRules


def refund_request_create(*, customer: Customer, note: str = "", clock: Clock = default_clock) -> StoredValueRefundRequest:
    """Open the customer's request; refused (nothing written) when the shop refunds no stored
    value, nothing paid is left, or a request is already open."""
    rules = StoredValueRules.objects.order_by("id").first()
    if rules is not None and not rules.refunds_allowed:
        raise RefundRequestRefused(_("This shop does not refund stored value."))
    paid = StoredValueAccount.objects.filter(customer=customer).values_list("paid_minor", flat=True).first() or 0
    if paid <= 0:
        raise RefundRequestRefused(_("There is no paid value to refund."))
    try:
        with transaction.atomic():
            return StoredValueRefundRequest.objects.create(customer=customer, paid_minor=paid, note=note.strip()[:300],
                                                           created_at=clock.now())  # fmt: skip
    except IntegrityError:
        raise RefundRequestRefused(_("Your request is already with the shop.")) from None


def refund_request_decide(*, request_id: int, handled: bool, answer: str, actor, clock: Clock = default_clock) -> None:
    """Close an open request: handled (the refund was made) or declined with the reason."""
    answer = answer.strip()[:300]
    if not handled and not answer:
        raise RefundRequestRefused(_("Say why the request is declined."), fields={"answer": [_("Required.")]})
    status = RefundRequestStatus.HANDLED if handled else RefundRequestStatus.DECLINED
    with transaction.atomic():
        changed = StoredValueRefundRequest.objects.filter(pk=request_id, status=RefundRequestStatus.OPEN).update(
            status=status, answer=answer, decided_at=clock.now(), decided_by=actor
        )
    if not changed:
        raise RefundRequestRefused(_("This request was already answered."))


def refund_requests_open() -> QuerySet[StoredValueRefundRequest]:
    return StoredValueRefundRequest.objects.filter(status=RefundRequestStatus.OPEN).select_related("customer")


def refund_request_latest(*, customer: Customer) -> StoredValueRefundRequest | None:
    return StoredValueRefundRequest.objects.filter(customer=customer).first()
