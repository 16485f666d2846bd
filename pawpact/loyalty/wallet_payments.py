"""Top-ups, mall redemptions and stored-value refunds whose rail never answered (a worker
lost, a timeout, a refusal the provider may lift).

Their PAYING rows kept the charge key; after a lease the run asks the rail again under
that same key (the rail answers with the first charge, or makes it if it never arrived)
and records the outcome once, as the request itself would have."""
from datetime import timedelta

from pawpact.core.clock import Clock, default_clock
from pawpact.loyalty import wallet_rail
from pawpact.loyalty.mall import redemption_finish
from pawpact.loyalty.stored_value import topup_finish
from pawpact.loyalty.wallet_models import Redemption, RedemptionStatus, TopUp, TopUpStatus
from pawpact.loyalty.wallet_refunds import stored_value_refunds_retry

LEASE = timedelta(minutes=5)


def wallet_payments_resolve(*, clock: Clock = default_clock) -> int:
    """Ask the rail again for every payment in flight longer than the lease; how many were settled."""
    settled = 0
    cutoff = clock.now() - LEASE
    for top in TopUp.objects.select_related("payment_method").filter(status=TopUpStatus.PAYING, created_at__lte=cutoff):
        result = wallet_rail.charge(payment_method=top.payment_method, amount_minor=top.amount_minor,
                                    key=top.charge_key, metadata={"topup_uuid": str(top.uuid)})  # fmt: skip
        settled += topup_finish(topup_id=top.pk, result=result, clock=clock).status != TopUpStatus.PAYING
    waiting = Redemption.objects.select_related("payment_method").filter(status=RedemptionStatus.PAYING, created_at__lte=cutoff)
    for redemption in waiting:
        result = wallet_rail.charge(payment_method=redemption.payment_method, amount_minor=redemption.cash_minor,
                                    key=redemption.charge_key, metadata={"redemption_uuid": str(redemption.uuid)})  # fmt: skip
        settled += redemption_finish(redemption_id=redemption.pk, result=result, clock=clock).status != RedemptionStatus.PAYING
    return settled + stored_value_refunds_retry(clock=clock, asked_before=cutoff)
