"""Debit reminders: SMS + in-app, `BillingSettings.reminder_days_before` days before each debit.

Each reminder states the amount, period n of N, the debit date and the directed
scope of use, in Chinese and English:

    【快乐爪爪】您的宠粮月付第 3/12 期 ¥399.00 将于 2026-03-10 自动扣款，仅用于宠粮、猫砂、驱虫。 /
    Period 3 of 12, ¥399.00, will be debited on 2026-03-10, for food, litter and deworming only.

Which periods: status `scheduled` (or `deferred`: a period a deferral coupon moved,
announced for its new date), contract `active`, due after today and at most
`reminder_days_before` days ahead. On a daily run that is exactly the periods due
in N days; the window also catches a period whose day was missed (the run did not
run, or a period was created inside the window), so no debit goes out unannounced.
A reminded period becomes `reminded` with `reminded_at` set.

Idempotent: the dedupe key is per contract, period *and due date*
(`reminder:<contract uuid>:<n>:<date>`), so a rerun stores nothing new, while a
period moved to another date by a deferral is announced again for its new date.

Fast: `reminder_run_shop` claims a batch of periods with one SELECT … FOR UPDATE
SKIP LOCKED (an overlapping run skips them), stores all their messages with one
existence check and one INSERT (`message_send_many`: service messages cost no cap
query), and marks the periods with one UPDATE, in one transaction per batch.
`reminder_run_naive` is the baseline: one `message_send` and one save per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import psycopg
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.clock_scope import clock_scope_q
from pawpact.core.clock import Clock, default_clock
from pawpact.core.money import Money
from pawpact.core.text import written_in
from pawpact.customers.models import message_language_of
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import MessageDraft, message_send, message_send_many
from pawpact.tenants.models import Shop

REMINDER_TOPIC = "debit_reminder"
REMINDER_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
BATCH_SIZE = 2000
# A deferred period is announced for its new date like a scheduled one, then collected
# like any reminded period (the dunning run's release to SCHEDULED may come later the
# same day: either order gives one reminder, 3 days ahead).
REMINDABLE_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.DEFERRED)

_FIELDS = (
    "id",
    "number",
    "due_date",
    "amount_minor",
    "currency",
    "contract__uuid",
    "contract__periods",
    "contract__customer_id",
    "contract__plan_version__scope_of_use",
    "contract__customer__language",
)


@dataclass
class ReminderReport:
    periods: int = 0  # periods reminded (status → reminded)
    messages: int = 0  # message rows stored or found (one per channel)


def reminder_dedupe_key(*, contract_uuid, period_number: int, due_date: date) -> str:
    return f"reminder:{contract_uuid}:{period_number}:{due_date.isoformat()}"


def reminder_text(
    *, shop_name: str, period_number: int, periods: int, amount: Money, due_date: date, scope_of_use: str,
    language: str = "",
) -> str:  # fmt: skip
    """The reminder body (SMS and in-app alike), in the customer's language or, when they chose
    none, in both."""
    chinese_scope, separator, english_scope = scope_of_use.partition(" / ")
    if separator:
        chinese_scope, english_scope = chinese_scope.strip(), english_scope.strip()
        chinese_tail, english_tail = f"，{chinese_scope}。", f", for {english_scope}."
    else:
        scope = scope_of_use.strip()
        chinese_tail, english_tail = f"，用途：{scope}。", f", scope of use: {scope}."
    day = due_date.isoformat()
    money = amount.format()
    return written_in(
        language,
        f"【{shop_name}】您的宠粮月付第 {period_number}/{periods} 期 {money} 将于 {day} 自动扣款{chinese_tail}",
        f"Period {period_number} of {periods}, {money}, will be debited on {day}{english_tail}",
    )


def reminder_subject() -> str:
    return _("Debit reminder")


def reminder_window(*, today: date, days_before: int) -> tuple[date, date]:
    """Due dates to remind about today: after today, at most `days_before` days ahead."""
    return today + timedelta(days=1), today + timedelta(days=days_before)


def reminder_due_periods(*, today: date, days_before: int):
    """The periods the run reminds about today (a queryset, not yet evaluated)."""
    first, last = reminder_window(today=today, days_before=days_before)
    return DebitPeriod.objects.filter(
        status__in=REMINDABLE_STATUSES,
        due_date__gte=first,
        due_date__lte=last,
        contract__status=ContractStatus.ACTIVE,
    )


def shop_name_current() -> str:
    return Shop.objects.only("name").get(schema_name=connection.schema_name).name


def reminder_run_shop(*, clock: Clock = default_clock, batch_size: int = BATCH_SIZE) -> ReminderReport:
    """Remind the current shop's customers of every debit due in the reminder window, once."""
    settings_row = billing_settings_get()
    today = clock.today()
    shop_name = shop_name_current()
    report = ReminderReport()
    while True:
        with transaction.atomic():
            rows = list(
                reminder_due_periods(today=today, days_before=settings_row.reminder_days_before)
                .filter(clock_scope_q(clock))
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")
                .values_list(*_FIELDS)[:batch_size]
            )
            if not rows:
                break
            drafts = [_reminder_draft(row, shop_name=shop_name) for row in rows]
            messages = message_send_many(drafts=drafts, clock=clock)
            _periods_mark_reminded(period_ids=[row[0] for row in rows], now=clock.now())
        report.periods += len(rows)
        report.messages += len(messages)
        if len(rows) < batch_size:
            break
    return report


def _reminder_draft(row: tuple, *, shop_name: str) -> MessageDraft:
    """One reminder, written in the customer's language."""
    (_id, number, due_date, amount_minor, currency, uuid, periods, customer_id, scope, language) = row
    with translation.override(message_language_of(language)):
        return MessageDraft(
            customer_id=customer_id,
            topic=REMINDER_TOPIC,
            category=Category.SERVICE,
            channels=REMINDER_CHANNELS,
            subject=reminder_subject(),
            body=reminder_text(
                shop_name=shop_name,
                period_number=number,
                periods=periods,
                amount=Money(amount_minor, currency),
                due_date=due_date,
                scope_of_use=scope,
                language=language,
            ),
            dedupe_key=reminder_dedupe_key(contract_uuid=uuid, period_number=number, due_date=due_date),
        )


def _periods_mark_reminded(*, period_ids: list[int], now) -> None:
    """One UPDATE for the batch, the ids sent as one array parameter (server-side binding)."""
    table = f'"{connection.schema_name}"."{DebitPeriod._meta.db_table}"'
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, reminded_at = %s WHERE id = ANY(%s)",
            [PeriodStatus.REMINDED.value, now, period_ids],
        )


def reminder_send(*, period: DebitPeriod, clock: Clock = default_clock, shop_name: str | None = None) -> list:
    """Remind about one period now (the naive path, and for a single period on demand)."""
    with transaction.atomic():
        locked = (
            DebitPeriod.objects.select_for_update(of=("self",))
            .select_related("contract__customer", "contract__plan_version")
            .get(pk=period.pk)
        )
        contract = locked.contract
        with translation.override(contract.customer.message_language):
            messages = message_send(
                customer=contract.customer,
                topic=REMINDER_TOPIC,
                category=Category.SERVICE,
                channels=REMINDER_CHANNELS,
                subject=reminder_subject(),
                body=reminder_text(
                    shop_name=shop_name or shop_name_current(),
                    period_number=locked.number,
                    periods=contract.periods,
                    amount=Money(locked.amount_minor, locked.currency),
                    due_date=locked.due_date,
                    scope_of_use=contract.plan_version.scope_of_use,
                    language=contract.customer.language,
                ),
                dedupe_key=reminder_dedupe_key(
                    contract_uuid=contract.uuid, period_number=locked.number, due_date=locked.due_date
                ),
                clock=clock,
            )
        if locked.status in REMINDABLE_STATUSES:
            locked.status = PeriodStatus.REMINDED
            locked.reminded_at = clock.now()
            locked.save(update_fields=["status", "reminded_at"])
    return messages


def reminder_run_naive(*, clock: Clock = default_clock, limit: int | None = None) -> ReminderReport:
    """The benchmark's baseline: one `reminder_send` (one message_send) per period."""
    settings_row = billing_settings_get()
    shop_name = shop_name_current()
    periods = reminder_due_periods(today=clock.today(), days_before=settings_row.reminder_days_before).order_by("id")
    if limit is not None:
        periods = periods[:limit]
    report = ReminderReport()
    for period in list(periods):
        report.messages += len(reminder_send(period=period, clock=clock, shop_name=shop_name))
        report.periods += 1
    return report
