"""Every periodic job of Pawpact, in one place.

Each entry has `expires` so a beat tick that no worker picked up in time is
dropped, not piled up (PostHog's add_periodic_task_with_expiry). Per-shop jobs
are public dispatchers that fan out over ready shops.
"""
from celery.schedules import crontab

from pawpact.billing.activation_runs import QUEUED_ACTIVATION_HOURS, QUEUED_ACTIVATION_MINUTES


def _every(schedule, task: str, *, expires: int) -> dict:
    return {"task": task, "schedule": schedule, "options": {"expires": expires}}


def _queued_activation_runs() -> crontab:
    """The activation job's runs, from the times the pages' activation schedule predicts with."""
    return crontab(hour=",".join(map(str, QUEUED_ACTIVATION_HOURS)), minute=",".join(map(str, QUEUED_ACTIVATION_MINUTES)))


def beat_schedule() -> dict:
    return {**_platform_jobs(), **_shop_jobs(), **_member_and_care_jobs()}


def _platform_jobs() -> dict:
    """Jobs on the public schema: the platform's, and the dispatchers of tenants' housekeeping."""
    return {
        "platform-heartbeat": _every(crontab(minute="*/5"), "core.heartbeat", expires=240),
        "tenants-spare-schemas": _every(crontab(minute="*"), "tenants.spare_schemas_fill", expires=50),
        # Webhooks whose processing task could not be enqueued (broker down) are sent again.
        "platform-stripe-webhook-requeue": _every(
            crontab(minute="*/5"), "platform.stripe_webhook_requeue", expires=240
        ),
        # risk, KPI facts, benchmarks, monthly reports (platform time zone)
        # Yesterday's risk per shop; the facts of the month containing yesterday (the 1st
        # closes the month before); its quartiles once the shops' facts are in; the past
        # month's reports on the 1st, repeated up to the 4th (idempotent) so each shop has
        # its report before the 5th.
        "platform-risk-daily": _every(crontab(hour=0, minute=20), "platform.risk_daily_dispatch", expires=3600),
        "platform-kpi-facts": _every(crontab(hour=0, minute=40), "platform.kpi_facts_dispatch", expires=3600),
        "platform-kpi-benchmarks": _every(crontab(hour=2, minute=0), "platform.kpi_benchmarks", expires=3600),
        "platform-monthly-reports": _every(
            crontab(hour=3, minute=0, day_of_month="1-4"), "platform.monthly_reports", expires=3600
        ),
        # shops' subscriptions: trial/period ends, retries in grace, read-only after it
        "platform-saas-billing": _every(crontab(hour=1, minute=10), "platform.saas_billing_run", expires=3600),
        # drain every shop's outbox each minute; the daily settlement run (Beijing time)
        "platform-outbox-drain": _every(crontab(minute="*"), "platform.outbox_drain_dispatch", expires=50),
        "platform-settlement-run": _every(crontab(hour=10, minute=0), "platform.settlement_run", expires=3600),
        # last month's partner redemptions: shops charged before the settlement run deducts them, partners paid
        "platform-partner-clearing": _every(
            crontab(hour=9, minute=30), "platform.partner_clearing_close", expires=3600
        ),
    }


def _shop_jobs() -> dict:
    """Per-shop jobs: each is a public dispatcher that fans out over the ready shops."""
    return {
        # storefront: parcels due to the warehouse, held boxes released, callbacks applied,
        # and a stock pull for any stock callback that was lost
        "storefront-dispatch": _every(crontab(minute="*"), "storefront.dispatch", expires=55),
        # outbound webhooks: new events queued per endpoint, due deliveries (and retries) posted
        "outbox-webhooks": _every(crontab(minute="*"), "outbox.webhooks_dispatch", expires=55),
        # SMS refused with "not now" sent again; carriers' delivery receipts collected
        "messaging-in-flight": _every(crontab(minute="*/2"), "messaging.in_flight_dispatch", expires=110),
        "storefront-warehouse-events": _every(crontab(minute="*"), "storefront.warehouse_events_process", expires=55),
        "storefront-stock-reconcile": _every(crontab(minute="*/10"), "storefront.stock_reconcile", expires=540),
        # committed plan-box demand: each shop's rows at 04:00, each warehouse told at 04:45
        "storefront-demand": _every(crontab(hour=4, minute=0), "storefront.demand_dispatch", expires=2700),
        "warehouses-forecast-push": _every(crontab(hour=4, minute=45), "warehouses.forecast_push", expires=3600),
        "warehouses-forecast-push-due": _every(crontab(minute="*/5"), "warehouses.forecast_push_due", expires=240),
        # Every quarter hour: a period becomes due at its not_before (its rail's allowed
        # hours), and each run charges it at most once.
        "billing-debit-run": _every(crontab(minute="*/15"), "billing.debit_run_dispatch", expires=600),
        # WeChat's pre-debit notices, hourly within its 07:00–22:00 (Beijing); yesterday's
        # provider statements matched against every shop's books at 10:30.
        "billing-pre-debit-notices": _every(
            crontab(hour="7-21", minute=5), "billing.pre_debit_notice_dispatch", expires=3000
        ),
        # signed contracts waiting for their WeChat notice to age start within the same hours
        "billing-queued-activations": _every(
            _queued_activation_runs(), "billing.queued_activation_dispatch", expires=840
        ),
        "billing-reconciliation": _every(
            crontab(hour=10, minute=30), "billing.reconciliation_dispatch", expires=3600
        ),
        # and the platform's Stripe transfers (payouts to shops) against its payouts
        "platform-stripe-transfers": _every(
            crontab(hour=10, minute=35), "platform.stripe_transfers_reconcile", expires=3600
        ),
        "platform-alipay-transfers": _every(
            crontab(hour=10, minute=40), "platform.alipay_transfers_reconcile", expires=3600
        ),
        # contracts whose last period is paid complete; closed shops' debits stop
        "billing-completion-run": _every(
            crontab(hour=6, minute=30), "billing.completion_run_dispatch", expires=3600
        ),
        # Backstop for a closure task lost at deactivation (broker down): shops closed in the last 30 days.
        "billing-shop-closure-sweep": _every(
            crontab(hour=4, minute=30), "billing.shop_closure_sweep", expires=3600
        ),
        # renewal rewards/contracts/offers and win-back credits at 08:00, debit reminders at 09:00 (Beijing)
        "billing-renewal-run": _every(crontab(hour=8, minute=0), "billing.renewal_run_dispatch", expires=3600),
        "loyalty-winback-credit-run": _every(
            crontab(hour=8, minute=0), "loyalty.winback_credit_run_dispatch", expires=3600
        ),
        "billing-reminder-run": _every(crontab(hour=9, minute=0), "billing.reminder_run_dispatch", expires=3600),
        # retries, standing, escalation, default and write-off (Beijing time)
        # The first run of the day (09:30, after the reminders) retries and escalates; the
        # hourly reruns until 21:30 find nothing new to send and only pick up recoveries
        # (e.g. a late webhook) so holds are released within the hour. Idempotent per day.
        "billing-dunning-run": _every(
            crontab(hour="9-21", minute=30), "billing.dunning_run_dispatch", expires=1800
        ),
    }


def _member_and_care_jobs() -> dict:
    """Per-shop jobs of loyalty and care, each a public dispatcher fanning out over ready shops."""
    return {
        # tiers (rolling windows, the yearly drop) and points expiry, after midnight (Beijing)
        "loyalty-daily-run": _every(crontab(hour=2, minute=15), "loyalty.daily_run_dispatch", expires=3600),
        # frozen points released within the hour after dunning's reruns find a recovery
        "loyalty-points-release": _every(
            crontab(hour="9-22", minute=45), "loyalty.points_release_dispatch", expires=3000
        ),
        # stored-value top-ups and mall redemptions whose rail never answered, asked again
        "loyalty-wallet-payments": _every(crontab(minute="*/10"), "loyalty.wallet_payments_dispatch", expires=500),
        # paid memberships renewed at their period's end (and failed renewals retried), in the day's hours
        "loyalty-paid-renewals": _every(
            crontab(hour="9-21", minute=25), "loyalty.paid_renewals_dispatch", expires=3000
        ),
        # appointments starting within 24 hours, reminded once (hourly)
        "care-reminder-run": _every(crontab(minute=15), "care.reminder_run_dispatch", expires=3000),
        # vaccine/deworming due, birthdays and adoption anniversaries, once a day (Beijing morning)
        "care-pet-reminders": _every(crontab(hour=10, minute=5), "care.care_reminder_dispatch", expires=3600),
        # complaints past their 24 h response or 48 h resolution clock, told to the owner once
        "care-complaint-clocks": _every(crontab(minute="*/15"), "care.complaint_clock_dispatch", expires=800),
    }
