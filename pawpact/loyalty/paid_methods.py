"""Changing the payment method a paid membership renews with.

The member picks another of their own active methods (of the current mode); the next
renewal is charged there. A charge already sent stays on the method it was sent to (its
key is that method's), so a lost answer is never asked again of another method. When a
renewal failed and is waiting for its retry, the change retries it at once on the new
method: the member fixed the cause, there is no reason to keep them waiting or at risk of
lapsing.
"""
from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict, NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty import wallet_rail
from pawpact.loyalty.paid_membership import paid_charge_run
from pawpact.loyalty.paid_models import LIVE, PaidMembership, PaidStatus
from pawpact.loyalty.paid_renewals import renewal_open


def membership_of(*, customer: Customer, membership_uuid) -> PaidMembership:
    """The customer's own membership by its uuid; NotFound (404) for anyone else's."""
    membership = PaidMembership.objects.select_related("plan", "payment_method").filter(
        customer=customer, uuid=membership_uuid).first() if _is_uuid(membership_uuid) else None  # fmt: skip
    if membership is None:
        raise NotFound(_("No such membership."))
    return membership


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def paid_membership_method_change(*, membership: PaidMembership, payment_method: PaymentMethod | None,
                                  clock: Clock = default_clock) -> PaidMembership:  # fmt: skip
    """Renew `membership` with `payment_method` from now on; a renewal waiting for its retry
    is charged there at once. Call outside a transaction. A method that is not the member's
    own (or of the other mode) is refused with nothing written; so is an ended membership."""
    method = wallet_rail.method_check(customer=membership.customer, payment_method=payment_method)
    with transaction.atomic():
        locked = PaidMembership.objects.select_for_update().get(pk=membership.pk)
        if locked.status not in LIVE:
            raise Conflict(_("This membership has ended already."))
        retry = locked.status == PaidStatus.PAST_DUE
        locked.payment_method = method
        fields = ["payment_method"]
        if retry:
            locked.next_attempt_at = clock.now()
            fields.append("next_attempt_at")
        locked.save(update_fields=fields)
    if retry:
        charge = renewal_open(membership_id=locked.pk, clock=clock)
        if charge is not None:
            paid_charge_run(charge=charge, clock=clock)
        locked.refresh_from_db()
    return locked
