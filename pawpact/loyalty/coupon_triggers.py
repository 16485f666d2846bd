"""What issues a coupon by itself: the shop's triggers.

Each trigger issues the template the shop picked for it (CouponTrigger; none picked: the
trigger is off). Every coupon's `source_key` names the event or the day that issued it,
so an event delivered twice, or a daily run repeated, issues once:
- 3 and 6 debits paid on time in a row (debit.paid): `streak3:<contract>:<period>`;
- the customer's or a pet's birthday (daily): `birthday:<customer|pet uuid>:<year>`;
- a new member (daily, within 7 days of joining): `new_member:<customer uuid>`;
- silent 30 days: no activity for 30 days (daily): `silent:<customer uuid>:<last activity day>`;
- a contract terminated for a reason that gets the win-back (contract.terminated): `winback:<contract>`.
The customer hears of it by a marketing message (the frequency cap applies; the coupon
stands even when the message is suppressed: it is in "My coupons").
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.core.clock import Clock, default_clock, local_date
from pawpact.core.text import written_in
from pawpact.customers.models import Customer, Pet
from pawpact.loyalty.coupon_models import Coupon, CouponTemplate, CouponTrigger, TriggerKind
from pawpact.loyalty.coupon_templates import coupon_template_save
from pawpact.loyalty.coupons import coupon_issue_if_allowed
from pawpact.loyalty.models import Activity, ActivityKind
from pawpact.loyalty.services import WINBACK_REASONS
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send

STREAKS = {3: TriggerKind.PAID_STREAK_3, 6: TriggerKind.PAID_STREAK_6}
NEW_MEMBER_DAYS = 7
SILENT_DAYS = 30
CATCH_UP_DAYS = 7
COUPON_TOPIC = "coupon_issued"


def trigger_template(kind: str) -> CouponTemplate | None:
    """The enabled template the shop picked for `kind`, or None (the trigger is off)."""
    row = CouponTrigger.objects.select_related("template").filter(kind=kind).first()
    if row is None or row.template is None or not row.template.enabled:
        return None
    return row.template


def trigger_set(*, kind: str, template: CouponTemplate | None) -> CouponTrigger:
    row, _created = CouponTrigger.objects.update_or_create(kind=kind, defaults={"template": template})
    return row


def _issue(*, kind: str, customer: Customer, source_key: str, clock: Clock) -> Coupon | None:
    coupon = coupon_issue_if_allowed(template=trigger_template(kind), customer=customer, source_key=source_key,
                                     clock=clock)  # fmt: skip
    if coupon is not None:  # a replay announces nothing twice: the message's dedupe key
        coupon_announce(coupon=coupon, clock=clock)
    return coupon


def coupon_announce(*, coupon: Coupon, clock: Clock = default_clock) -> None:
    """Tell the customer of a new coupon (once per coupon; capped like all marketing)."""
    until = coupon.valid_until.isoformat()
    with translation.override(coupon.customer.message_language):
        message_send(
            customer=coupon.customer, topic=COUPON_TOPIC, category=Category.MARKETING,
            channels=(Channel.IN_APP.value,), subject=_("A coupon for you"),
            body=written_in(coupon.customer.language,
                            f"您获得一张优惠券「{coupon.template.name}」，券码 {coupon.code}，{until} 前有效。",
                            f"You have a coupon \"{coupon.template.name}\": code {coupon.code}, valid until {until}."),
            dedupe_key=f"coupon:{coupon.uuid}", clock=clock,
        )  # fmt: skip


# --- Event subscribers (settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS) ------------------------------------


# Each debit's streak is read at its own activity row, so a replayed old debit finds the
# streak it had then, not today's.
_STREAKS_SQL = """
    SELECT source_key, pos - coalesce(max(CASE WHEN NOT on_time THEN pos END)
                                      OVER (PARTITION BY customer_id ORDER BY pos ROWS UNBOUNDED PRECEDING), 0)
    FROM (SELECT customer_id, source_key, on_time,
                 row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at, id) AS pos
          FROM loyalty_activity
          WHERE kind = %(kind)s
            AND customer_id IN (SELECT customer_id FROM loyalty_activity WHERE source_key = ANY(%(keys)s))) AS ranked
"""


def on_time_streaks(*, source_keys: list[str]) -> dict[str, int]:
    """For each paid debit's activity (by source key): how many paid debits in a row, ending
    with it, were paid on time."""
    with connection.cursor() as cursor:
        cursor.execute(_STREAKS_SQL, {"kind": ActivityKind.DEBIT.value, "keys": source_keys})
        wanted = set(source_keys)
        return {key: streak for key, streak in cursor.fetchall() if key in wanted}


def coupons_on_debit_paid(*, payloads: list[dict], clock: Clock = default_clock) -> None:
    """3 or 6 debits paid on time in a row: the streak's coupon. Listed after the points
    subscriber, which records each debit as activity first (and records it once)."""
    if all(trigger_template(kind) is None for kind in STREAKS.values()):
        return
    contracts = Contract.objects.select_related("customer").filter(uuid__in=[p["contract_uuid"] for p in payloads])
    by_uuid = {str(contract.uuid): contract for contract in contracts}
    keys = {f"debit.paid:{p['contract_uuid']}:{p['period_number']}": p for p in payloads if p["contract_uuid"] in by_uuid}
    for key, streak in on_time_streaks(source_keys=list(keys)).items():
        kind, payload = STREAKS.get(streak), keys[key]
        if kind is not None:
            _issue(kind=kind, customer=by_uuid[payload["contract_uuid"]].customer, clock=clock,
                   source_key=f"{kind}:{payload['contract_uuid']}:{payload['period_number']}")  # fmt: skip


def coupons_on_contract_terminated(*, payload: dict, clock: Clock = default_clock) -> None:
    """The win-back coupon, for the reasons that get the win-back offer, to a customer with no plan left."""
    if payload["reason"] not in WINBACK_REASONS:
        return
    contract = Contract.objects.select_related("customer").filter(uuid=payload["contract_uuid"]).first()
    if contract is None:
        return
    if Contract.objects.filter(customer_id=contract.customer_id, status=ContractStatus.ACTIVE).exists():
        return
    _issue(kind=TriggerKind.WINBACK, customer=contract.customer, source_key=f"winback:{contract.uuid}", clock=clock)


# --- Daily: birthdays, new members, silent members ------------------------------------------------------


def _birthday_filter(field: str, today: date) -> Q:
    q = Q(**{f"{field}__month": today.month, f"{field}__day": today.day})
    if (today.month, today.day) == (2, 28) and (today + timedelta(days=1)).day == 1:  # no 29th this year
        q |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return q


def birthday_coupons_run(*, clock: Clock = default_clock) -> int:
    template, today = trigger_template(TriggerKind.BIRTHDAY), clock.today()
    if template is None:
        return 0
    issued = 0
    for customer in Customer.objects.filter(_birthday_filter("birth_date", today)).order_by("id"):
        issued += _issue(kind=TriggerKind.BIRTHDAY, customer=customer, clock=clock,
                         source_key=f"birthday:{customer.uuid}:{today.year}") is not None  # fmt: skip
    pets = Pet.objects.select_related("owner").filter(_birthday_filter("birthday", today), owner__isnull=False)
    for pet in pets.order_by("id"):
        issued += _issue(kind=TriggerKind.BIRTHDAY, customer=pet.owner, clock=clock,
                         source_key=f"birthday:{pet.uuid}:{today.year}") is not None  # fmt: skip
    return issued


def new_member_coupons_run(*, clock: Clock = default_clock) -> int:
    if trigger_template(TriggerKind.NEW_MEMBER) is None:
        return 0
    since = clock.now() - timedelta(days=NEW_MEMBER_DAYS)
    issued = 0
    for customer in Customer.objects.filter(created_at__gte=since).order_by("id"):
        issued += _issue(kind=TriggerKind.NEW_MEMBER, customer=customer, clock=clock,
                         source_key=f"new_member:{customer.uuid}") is not None  # fmt: skip
    return issued


def silent_coupons_run(*, clock: Clock = default_clock) -> int:
    """Customers whose last activity (or joining, without any) was 30 days ago; those who
    fell silent within the last week, so a missed day is caught up and nobody is asked twice."""
    if trigger_template(TriggerKind.SILENT_30) is None:
        return 0
    cutoff = clock.now() - timedelta(days=SILENT_DAYS)
    last = Activity.objects.filter(customer_id=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    silent = Customer.objects.annotate(last_at=Coalesce(Subquery(last), F("created_at"))).filter(
        last_at__lte=cutoff, last_at__gt=cutoff - timedelta(days=CATCH_UP_DAYS)
    )
    issued = 0
    for customer in silent.order_by("id"):
        day = local_date(customer.last_at).isoformat()
        issued += _issue(kind=TriggerKind.SILENT_30, customer=customer, clock=clock,
                         source_key=f"silent:{customer.uuid}:{day}") is not None  # fmt: skip
    return issued


def coupon_triggers_daily_run(*, clock: Clock = default_clock) -> dict[str, int]:
    return {
        "birthday": birthday_coupons_run(clock=clock),
        "new_member": new_member_coupons_run(clock=clock),
        "silent": silent_coupons_run(clock=clock),
    }



# The demo shops' picks: a template per trigger, so the triggers can be seen working.
DEMO_TEMPLATES = (
    (TriggerKind.PAID_STREAK_3, {"name": "连续 3 期按时：免费洗护", "kind": "free_service", "service_kind": "grooming",
                                  "valid_days": 60, "per_customer_limit": 20}),
    (TriggerKind.PAID_STREAK_6, {"name": "连续 6 期按时：免费驱虫", "kind": "free_service", "service_kind": "deworming",
                                  "valid_days": 60, "per_customer_limit": 20}),
    (TriggerKind.BIRTHDAY, {"name": "生日礼 ¥30", "kind": "amount_off", "amount_off_minor": 3_000,
                            "min_spend_minor": 10_000, "valid_days": 30, "per_customer_limit": 50}),
    (TriggerKind.NEW_MEMBER, {"name": "新会员 7 天体验 ¥20", "kind": "amount_off", "amount_off_minor": 2_000,
                              "valid_days": 7}),
    (TriggerKind.SILENT_30, {"name": "好久不见 ¥50", "kind": "amount_off", "amount_off_minor": 5_000,
                             "min_spend_minor": 20_000, "valid_days": 14, "per_customer_limit": 20}),
    (TriggerKind.WINBACK, {"name": "回来吧：首月半价", "kind": "first_month_half", "valid_days": 30,
                           "per_customer_limit": 5}),
)  # fmt: skip


def coupon_demo_defaults() -> int:
    """Create the demo templates and pick them for the triggers, in a shop without any yet."""
    if CouponTemplate.objects.exists() or CouponTrigger.objects.exists():
        return 0
    for kind, data in DEMO_TEMPLATES:
        trigger_set(kind=kind, template=coupon_template_save(**data))
    return len(DEMO_TEMPLATES)
