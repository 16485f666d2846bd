"""Renewal: an offer one month before the last period, and the next contract when accepted.

1. **Offer** (`renewal_offer_run`, daily): an active contract whose last chargeable
   period is due in exactly one calendar month (or less, if a day was missed) gets
   one RenewalOffer holding the shop's rewards for the plan's current version
   (`BillingSettings.renewal_rewards[str(periods)]`), sent as a *marketing* message
   (SMS + in-app, subject to the daily cap; dedupe key `renewal_offer:<contract>`).
2. **Acceptance** (`renewal_accept`): the customer picks an option. The renewal
   contract cannot exist yet: the pet is still under the old, open contract, and
   the database allows one open contract per pet (`contract_one_open_per_pet`).
   So acceptance is recorded on the offer, and the renewal contract is created
   **when the old one completes** — at once if it has completed already, otherwise
   by `renewal_contract_create` (call it from the completion service; the daily
   `renewal_run_shop` also catches any accepted offer whose contract has completed).
3. **Renewal contract** (`renewal_contract_create`): a DRAFT for the same customer
   and pet on the plan's current version (through `signing.application_create`, so
   every signing rule holds), `renewal_of` = the old contract, linked from the
   offer; a `contract.renewed` outbox event in the same transaction. It then goes
   through the normal signing flow (credit check, signature, payment method,
   activation).

Rewards, with exact amounts:
- `discount_rate` (e.g. "0.100", renew 24 → 10% off): the new contract's monthly
  amount is `apply_rate(price, 1 − rate)` (59,900 → 53,910 fen) and its total is
  monthly × periods, before signing, so the agreement shows what will be debited.
- `free_months` k (renew 12 → 1 month free; renew 24 → 2 months free): amounts must
  stay > 0 and period 1 is collected at activation, so the free months are the
  contract's **last k periods, waived** once it is active: those periods become
  `cancelled` (never reminded, never charged), the total drops by their amounts, and
  a balanced journal `renewal.free_months:<contract>` (DEFERRED_REVENUE +x,
  RECEIVABLE −x) takes them out of what the customer owes. `renewal_rewards_apply`
  does it (idempotent by the journal key); the daily run applies it to every newly
  active renewal contract. Example: Basic 399 × 12 with 1 month free → periods 1–11
  at ¥399.00, period 12 cancelled, total ¥4,389.00 (438,900 fen).
- Gifts and services (gift pack worth ¥200 + 2 groomings, 1 vaccine, a bag of food)
  are recorded on the offer (`options` + `accepted_option`) for staff to hand over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.clock_scope import clock_scope_q
from pawpact.billing.enums import ContractStatus, JournalKind, LedgerAccount, PeriodStatus
from pawpact.billing.errors import IllegalTransition, RenewalAccepted, RenewedAlready, UnknownPlanVersion
from pawpact.billing.ledger import Line, journal_post
from pawpact.billing.models import Contract, DebitPeriod, Journal, PlanVersion, RenewalOffer
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.reminders import shop_name_current
from pawpact.billing.services.signing import application_create
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError, ValidationFailed
from pawpact.core.events import EventKind
from pawpact.core.money import Money, apply_rate
from pawpact.core.months import add_months
from pawpact.core.text import written_in
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.outbox.services import outbox_emit

logger = logging.getLogger(__name__)

RENEWAL_TOPIC = "renewal_offer"
RENEWAL_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
# Periods not yet charged (a waiver never touches a period with an attempt).
WAIVABLE_PERIOD_STATUSES = (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED)


def renewal_offer_due_on(*, last_due_date: date) -> date:
    """One calendar month before the last period's due date (31 Mar → 28/29 Feb)."""
    return add_months(last_due_date, -1)


def renewal_offer_dedupe_key(contract: Contract) -> str:
    return f"renewal_offer:{contract.uuid}"


def free_months_key(contract: Contract) -> str:
    return f"renewal.free_months:{contract.uuid}"


def plan_version_current(*, contract: Contract) -> PlanVersion:
    """The version of the contract's plan now on sale; UnknownPlanVersion if the plan is off sale."""
    plan = contract.plan_version.plan
    version = PlanVersion.objects.filter(plan_id=plan.pk).order_by("-version").first()
    if version is None or not plan.is_active:
        raise UnknownPlanVersion(
            _("This plan is no longer offered, so it cannot be renewed."),
            fields={"plan": [_("Not on sale.")]},
        )
    return version


def renewal_options(*, periods: int) -> list[dict]:
    """The shop's configured rewards for renewing into a contract of `periods` periods."""
    return list(billing_settings_get().renewal_rewards.get(str(periods), []))


def last_chargeable_due_dates(contracts) -> dict[int, date]:
    """contract id → due date of its last period that is not cancelled."""
    rows = (
        DebitPeriod.objects.filter(contract__in=contracts)
        .exclude(status=PeriodStatus.CANCELLED)
        .values("contract_id")
        .annotate(last=Max("due_date"))
        .values_list("contract_id", "last")
    )
    return dict(rows)


# --- 1. Offers ------------------------------------------------------------------------------


def renewal_offer_candidates(*, today: date, clock: Clock = default_clock) -> list[Contract]:
    """Active contracts without an offer whose offer day (last due date − 1 month) has come,
    of those a run on `clock` acts for."""
    # A month is at most 31 days: narrow in SQL, then decide exactly per contract.
    horizon = today + timedelta(days=31)
    contracts = (
        Contract.objects.filter(clock_scope_q(clock, prefix=""))
        .filter(status=ContractStatus.ACTIVE, renewal_offer__isnull=True)
        .annotate(last_due=Max("periods_set__due_date", filter=~Q(periods_set__status=PeriodStatus.CANCELLED)))
        .filter(last_due__gt=today, last_due__lte=horizon)
        .select_related("customer", "plan_version__plan")
        .order_by("id")
    )
    return [c for c in contracts if renewal_offer_due_on(last_due_date=c.last_due) <= today]


def renewal_offer_send(*, contract: Contract, clock: Clock = default_clock) -> RenewalOffer:
    """Create (once) and send the contract's renewal offer; a second call returns the first offer."""
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("customer", "plan_version__plan")
            .get(pk=contract.pk)
        )
        offer = RenewalOffer.objects.filter(contract=locked).first()
        if offer is not None:
            return offer
        if locked.status != ContractStatus.ACTIVE:
            raise IllegalTransition(
                _("Only an active contract gets a renewal offer; this one is %(status)s.")
                % {"status": ContractStatus(locked.status).label}
            )
        version = plan_version_current(contract=locked)
        offer = RenewalOffer.objects.create(
            contract=locked, options=renewal_options(periods=version.periods), sent_at=clock.now()
        )
        last_due = last_chargeable_due_dates([locked.pk]).get(locked.pk)
        with translation.override(locked.customer.message_language):
            message_send(
                customer=locked.customer,
                topic=RENEWAL_TOPIC,
                category=Category.MARKETING,
                channels=RENEWAL_CHANNELS,
                subject=_("Renew your plan"),
                body=renewal_offer_text(
                    shop_name=shop_name_current(), plan_name=locked.plan_version.plan.name,
                    plan_name_en=locked.plan_version.plan.name_en, last_due_date=last_due,
                    options=offer.options, language=locked.customer.language,
                ),  # fmt: skip
                dedupe_key=renewal_offer_dedupe_key(locked),
                clock=clock,
            )
    return offer


def renewal_offer_text(
    *, shop_name: str, plan_name: str, last_due_date: date | None, options: list[dict], language: str = "",
    plan_name_en: str = "",
) -> str:
    """The offer, in the customer's language (both when they chose none): the last debit's date
    and the rewards to choose from; the English names the plan by its English name when it has one."""
    day = last_due_date.isoformat() if last_due_date else ""
    labels = [str(option.get("label") or option.get("key")) for option in options]
    chinese_rewards = f"续约可选奖励：{'；'.join(labels)}。" if labels else "欢迎续约。"
    english_rewards = f" Renew and choose a reward: {'; '.join(labels)}." if labels else " Renew to keep it going."
    return written_in(
        language,
        f"【{shop_name}】您的{plan_name}最后一期将于 {day} 扣款，{chinese_rewards}",
        f"Your {plan_name_en or plan_name} plan's last period is debited on {day}.{english_rewards}",
    )


def renewal_offer_run(*, clock: Clock = default_clock) -> int:
    """Send every renewal offer due today in the current shop; how many were created."""
    sent = 0
    for contract in renewal_offer_candidates(today=clock.today(), clock=clock):
        try:
            renewal_offer_send(contract=contract, clock=clock)
            sent += 1
        except DomainError as error:  # e.g. the plan went off sale: no offer, nothing written
            logger.info("No renewal offer for contract %s: %s", contract.uuid, error.message)
    return sent


# --- 2. Acceptance ----------------------------------------------------------------------------


def renewal_option(*, offer: RenewalOffer, option_key: str) -> dict:
    """The option of the offer named `option_key` ("" when the offer has none)."""
    options = offer.options or []
    for option in options:
        if option.get("key") == option_key:
            return option
    if not options and option_key == "":
        return {}
    keys = ", ".join(str(o.get("key")) for o in options) or '""'
    raise ValidationFailed(
        _("Choose one of the offered rewards."),
        fields={"option_key": [_("Unknown option; choose one of: %(keys)s.") % {"keys": keys}]},
    )


def renewal_accept(*, offer: RenewalOffer, option_key: str, clock: Clock = default_clock) -> RenewalOffer:
    """The customer renews with one of the offered rewards.

    The renewal contract is created now if the old contract has completed, else when it
    completes. Accepting again with the same option returns the offer unchanged.
    """
    if not isinstance(option_key, str):
        raise ValidationFailed(_("Choose one of the offered rewards."), fields={"option_key": [_("Required.")]})
    with transaction.atomic():
        locked = RenewalOffer.objects.select_for_update(of=("self",)).select_related("contract").get(pk=offer.pk)
        if locked.accepted_at is not None:
            if locked.accepted_option == option_key:
                return locked
            raise RenewalAccepted(_("This renewal offer was accepted already."))
        option = renewal_option(offer=locked, option_key=option_key)
        contract = locked.contract
        if contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
            raise IllegalTransition(
                _("A %(status)s contract cannot be renewed.") % {"status": ContractStatus(contract.status).label}
            )
        plan_version_current(contract=contract)  # refused now if the plan went off sale
        _option_rate(option)  # a malformed configured rate fails here, before anything is written
        locked.accepted_option = option_key
        locked.accepted_at = clock.now()
        locked.save(update_fields=["accepted_option", "accepted_at"])
        if contract.status == ContractStatus.COMPLETED:
            renewal_contract_create(offer=locked, clock=clock)
    return locked


def _option_rate(option: dict) -> Decimal:
    raw = option.get("discount_rate") or "0"
    try:
        rate = Decimal(str(raw))
    except InvalidOperation as error:
        raise ValidationFailed(_("The shop's renewal reward has an invalid discount rate.")) from error
    if not (Decimal(0) <= rate < Decimal(1)):
        raise ValidationFailed(_("The shop's renewal reward has an invalid discount rate."))
    return rate


def _option_free_months(option: dict) -> int:
    value = option.get("free_months") or 0
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


# --- 3. The renewal contract -----------------------------------------------------------------


def renewal_contract_create(*, offer: RenewalOffer, clock: Clock = default_clock) -> Contract | None:
    """The renewal contract of an accepted offer whose contract has completed; None if not yet.

    Idempotent: an offer that has its renewal contract returns it.
    """
    with transaction.atomic():
        locked = (
            RenewalOffer.objects.select_for_update(of=("self",))
            .select_related("contract__customer", "contract__pet", "contract__plan_version__plan", "renewal_contract")
            .get(pk=offer.pk)
        )
        if locked.renewal_contract is not None:
            return locked.renewal_contract
        old = locked.contract
        if locked.accepted_at is None or old.status != ContractStatus.COMPLETED:
            return None
        option = renewal_option(offer=locked, option_key=locked.accepted_option)
        version = plan_version_current(contract=old)
        new = application_create(customer=old.customer, pet=old.pet, plan_version_id=version.pk, clock=clock)
        rate = _option_rate(option)
        if rate:
            monthly = apply_rate(Money(version.monthly_price_minor, version.currency), Decimal(1) - rate)
            new.monthly_amount_minor = monthly.amount_minor
            new.total_minor = monthly.amount_minor * new.periods
        new.renewal_of = old
        # A renewal of a contract on a test clock lives on the same clock, as its customer's next months do.
        new.test_clock_id = old.test_clock_id
        try:
            with transaction.atomic():
                new.save(update_fields=["monthly_amount_minor", "total_minor", "renewal_of", "test_clock"])
        except IntegrityError as error:  # the old contract was renewed by another path
            raise RenewedAlready(_("This contract has been renewed already.")) from error
        locked.renewal_contract = new
        locked.save(update_fields=["renewal_contract"])
        outbox_emit(
            kind=EventKind.CONTRACT_RENEWED,
            aggregate_uuid=old.uuid,
            livemode=old.livemode,
            payload={
                "contract_uuid": str(old.uuid),
                "renewal_contract_uuid": str(new.uuid),
                "at": clock.now().isoformat(),
            },
        )
    return new


def renewal_rewards_apply(*, contract: Contract, clock: Clock = default_clock) -> Journal | None:
    """Waive the free months of an active renewal contract: its last k periods; once.

    Returns the journal (the first one on a repeat), or None when there is nothing to
    waive (not a renewal, no free months, or not active yet).
    """
    offer = RenewalOffer.objects.filter(renewal_contract_id=contract.pk).first()
    if offer is None:
        return None
    months = _option_free_months(renewal_option(offer=offer, option_key=offer.accepted_option))
    if not months:
        return None
    key = free_months_key(contract)
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        existing = Journal.objects.filter(idempotency_key=key).first()
        if existing is not None or locked.status != ContractStatus.ACTIVE:
            return existing
        periods = list(
            DebitPeriod.objects.select_for_update()
            .filter(contract=locked)
            .exclude(status=PeriodStatus.CANCELLED)
            .order_by("-number")[:months]
        )
        if len(periods) < months or any(p.status not in WAIVABLE_PERIOD_STATUSES for p in periods):
            logger.warning("Renewal contract %s: its last %d periods are not all waivable", locked.uuid, months)
            return None
        amount = sum(p.amount_minor for p in periods)
        DebitPeriod.objects.filter(pk__in=[p.pk for p in periods]).update(status=PeriodStatus.CANCELLED)
        Contract.objects.filter(pk=locked.pk).update(total_minor=F("total_minor") - amount)
        return journal_post(
            key=key,
            kind=JournalKind.RENEWAL_FREE_MONTHS,
            lines=[Line(LedgerAccount.DEFERRED_REVENUE, amount), Line(LedgerAccount.RECEIVABLE, -amount)],
            currency=locked.currency,
            contract=locked,
            memo=f"renewal reward {offer.accepted_option}: periods "
            + ", ".join(str(p.number) for p in sorted(periods, key=lambda p: p.number))
            + " free",
        )


@dataclass
class RenewalRunReport:
    offers_sent: int = 0
    contracts_created: int = 0
    rewards_applied: int = 0


def renewal_run_shop(*, clock: Clock = default_clock) -> RenewalRunReport:
    """The daily renewal work of the current shop: rewards, pending renewal contracts, new offers."""
    report = RenewalRunReport()
    rewarded = Contract.objects.filter(clock_scope_q(clock, prefix=""), status=ContractStatus.ACTIVE)
    for contract in rewarded.filter(from_renewal_offer__isnull=False).exclude(
        Q(journals__kind=JournalKind.RENEWAL_FREE_MONTHS)
    ):
        if renewal_rewards_apply(contract=contract, clock=clock) is not None:
            report.rewards_applied += 1
    pending = RenewalOffer.objects.filter(
        clock_scope_q(clock), accepted_at__isnull=False, renewal_contract__isnull=True,
        contract__status=ContractStatus.COMPLETED,
    )  # fmt: skip
    for offer in pending:
        try:
            if renewal_contract_create(offer=offer, clock=clock) is not None:
                report.contracts_created += 1
        except DomainError as error:
            logger.info("Renewal contract for offer %s not created: %s", offer.pk, error.message)
    report.offers_sent = renewal_offer_run(clock=clock)
    return report
