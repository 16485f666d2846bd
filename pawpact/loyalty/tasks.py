"""Thin Celery entry points of loyalty: public dispatchers fan out one run per ready shop."""
from pawpact.core.tasks import public_task, tenant_task
from pawpact.loyalty.campaign_runs import campaign_run
from pawpact.loyalty.coupon_triggers import coupon_triggers_daily_run
from pawpact.loyalty.evaluation import reevaluation_run, tier_daily_run
from pawpact.loyalty.paid_renewals import paid_renewals_run
from pawpact.loyalty.points import points_expire_run, points_release_run
from pawpact.loyalty.rfm import rfm_scores_refresh
from pawpact.loyalty.services import winback_credit_run
from pawpact.loyalty.wallet_payments import wallet_payments_resolve
from pawpact.tenants.fan_out import fan_out_to_ready_shops


@public_task("loyalty.winback_credit_run_dispatch")
def winback_credit_run_dispatch_task() -> int:
    return fan_out_to_ready_shops(winback_credit_run_shop_task, expires=3600)


@tenant_task(
    "loyalty.winback_credit_run_shop", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540
)
def winback_credit_run_shop_task() -> None:
    winback_credit_run()


@tenant_task("loyalty.reevaluation_run", acks_late=True, time_limit=1800, soft_time_limit=1740)
def reevaluation_run_task(reevaluation_id: int) -> None:
    reevaluation_run(reevaluation_id=reevaluation_id)


@public_task("loyalty.daily_run_dispatch")
def loyalty_daily_run_dispatch_task() -> int:
    return fan_out_to_ready_shops(loyalty_daily_run_shop_task, expires=3600)


@tenant_task("loyalty.daily_run_shop", acks_late=True, time_limit=1800, soft_time_limit=1740)
def loyalty_daily_run_shop_task() -> None:
    """Rolling windows move every day: re-evaluate, then drop members a year below their
    level's minimum, then expire points past their date and score RFM."""
    tier_daily_run()
    points_expire_run()
    rfm_scores_refresh()
    coupon_triggers_daily_run()  # after the tier run: silence is read from the activity it records


@public_task("loyalty.points_release_dispatch")
def points_release_dispatch_task() -> int:
    return fan_out_to_ready_shops(points_release_shop_task, expires=3000)


@tenant_task("loyalty.points_release_shop", acks_late=True, time_limit=600, soft_time_limit=540)
def points_release_shop_task() -> None:
    points_release_run()


@public_task("loyalty.wallet_payments_dispatch")
def wallet_payments_dispatch_task() -> int:
    return fan_out_to_ready_shops(wallet_payments_shop_task, expires=500)


@tenant_task("loyalty.wallet_payments_shop", acks_late=True, time_limit=300, soft_time_limit=270)
def wallet_payments_shop_task() -> None:
    wallet_payments_resolve()


@tenant_task("loyalty.campaign_run", acks_late=True, time_limit=3600, soft_time_limit=3540)
def campaign_run_task(campaign_id: int) -> None:
    campaign_run(campaign_id=campaign_id)


@public_task("loyalty.paid_renewals_dispatch")
def paid_renewals_dispatch_task() -> int:
    return fan_out_to_ready_shops(paid_renewals_shop_task, expires=3000)


@tenant_task("loyalty.paid_renewals_shop", acks_late=True, reject_on_worker_lost=True, time_limit=1800,
             soft_time_limit=1740)  # fmt: skip
def paid_renewals_shop_task() -> None:
    paid_renewals_run()
