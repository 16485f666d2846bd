"""Renewal: the offer one month before the last period, acceptance, the linked contract with
exact amounts, free months waived through the ledger, and bad input that writes nothing."""
from datetime import date

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.errors import IllegalTransition, UnknownPlanVersion
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Contract, DebitPeriod, Journal, PlanVersion, RenewalOffer
from pawpact.billing.services.lifecycle_settings import DEFAULT_RENEWAL_REWARDS
from pawpact.billing.services.renewal import (
    RenewalRunReport,
    renewal_accept,
    renewal_offer_due_on,
    renewal_offer_run,
    renewal_offer_send,
    renewal_rewards_apply,
    renewal_run_shop,
)
from pawpact.core.errors import Conflict, ValidationFailed
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from pawpact.outbox.models import OutboxEvent
from tests.billing.lifecycle.messages.helpers import (
    active_contract,
    at_beijing,
    clock_on,
    contract_finish,
    contract_start,
    message_rows,
    version_create,
)

# Signed 12 January 2026, debit day 10: period 12 is due 2026-12-10, so the offer goes on 2026-11-10.
OFFER_DAY = date(2026, 11, 10)
OFFER_TEXT = (
    "【Alpha Pets】您的{plan}最后一期将于 2026-12-10 扣款，续约可选奖励：Gift pack worth ¥200 + 2 free groomings；"
    "1 month free。 / Your {plan_en} plan's last period is debited on 2026-12-10. Renew and choose a reward: "
    "Gift pack worth ¥200 + 2 free groomings; 1 month free."
)


def _new_version(old: PlanVersion, *, monthly_price_minor: int) -> PlanVersion:
    """The owner changed the plan's price: a new current version."""
    return PlanVersion.objects.create(
        plan=old.plan, version=old.version + 1, monthly_price_minor=monthly_price_minor, periods=old.periods,
        debit_day=old.debit_day, scope_of_use=old.scope_of_use, deposit_minor=old.deposit_minor,
        penalty_rate=old.penalty_rate, cooling_off_days=old.cooling_off_days,
    )  # fmt: skip


def test_one_calendar_month_before_clamps_to_the_month_end():
    assert renewal_offer_due_on(last_due_date=date(2026, 12, 10)) == date(2026, 11, 10)
    assert renewal_offer_due_on(last_due_date=date(2027, 3, 31)) == date(2027, 2, 28)
    assert renewal_offer_due_on(last_due_date=date(2028, 3, 31)) == date(2028, 2, 29)
    assert renewal_offer_due_on(last_due_date=date(2027, 1, 15)) == date(2026, 12, 15)


def test_the_offer_goes_exactly_one_month_before_the_last_period_and_once(shop):
    with schema_context(shop.schema_name):
        contract = active_contract()
        # The plan's English name is the English half's; the Chinese half keeps the shop's name.
        contract.plan_version.plan.name_en = "Kitten"
        contract.plan_version.plan.save(update_fields=["name_en"])
        # Other contracts: not active, or their last period is further away.
        active_contract(status=ContractStatus.TERMINATED_EARLY)
        later = active_contract(signed_on=date(2026, 2, 9))  # last period 2027-01-10

        assert renewal_offer_run(clock=clock_on(date(2026, 11, 9), 23, 59)) == 0
        assert RenewalOffer.objects.count() == 0 and Message.objects.count() == 0

        assert renewal_offer_run(clock=clock_on(OFFER_DAY, 0, 0)) == 1
        offer = RenewalOffer.objects.get()
        assert offer.contract == contract
        assert offer.options == DEFAULT_RENEWAL_REWARDS["12"]
        assert offer.sent_at == at_beijing(OFFER_DAY, 0, 0)
        plan, plan_en = contract.plan_version.plan.name, "Kitten"
        messages = list(Message.objects.order_by("id"))
        assert [(m.channel, m.category, m.topic, m.status, m.subject) for m in messages] == [
            ("sms", "marketing", "renewal_offer", "sent", "Renew your plan"),
            ("in_app", "marketing", "renewal_offer", "sent", "Renew your plan"),
        ]
        assert {m.body for m in messages} == {OFFER_TEXT.format(plan=plan, plan_en=plan_en)}
        assert {m.dedupe_key for m in messages} == {
            f"renewal_offer:{contract.uuid}#sms", f"renewal_offer:{contract.uuid}#in_app",
        }  # fmt: skip

        # Rerun the same day and the next: nothing more.
        assert renewal_offer_run(clock=clock_on(OFFER_DAY, 18)) == 0
        assert renewal_offer_run(clock=clock_on(date(2026, 11, 11))) == 0
        assert RenewalOffer.objects.count() == 1 and Message.objects.count() == 2
        assert renewal_offer_send(contract=contract, clock=clock_on(date(2026, 11, 12))).pk == offer.pk
        assert Message.objects.count() == 2

        # The later contract's day comes a month later.
        assert renewal_offer_run(clock=clock_on(date(2026, 12, 10))) == 1
        assert RenewalOffer.objects.get(contract=later).sent_at == at_beijing(date(2026, 12, 10))


def test_a_missed_offer_day_is_caught_up_before_the_last_period_but_not_after(shop):
    with schema_context(shop.schema_name):
        caught_up = active_contract()
        assert renewal_offer_run(clock=clock_on(date(2026, 11, 20))) == 1
        assert RenewalOffer.objects.get().contract == caught_up
        too_late = active_contract()
        assert renewal_offer_run(clock=clock_on(date(2026, 12, 10))) == 0
        assert not RenewalOffer.objects.filter(contract=too_late).exists()


def test_the_offer_is_a_capped_marketing_message(shop):
    with schema_context(shop.schema_name):
        contract = active_contract()
        clock = clock_on(OFFER_DAY, 8)
        message_send(customer=contract.customer, topic="promo", category="marketing", channels=["sms"], subject="",
                     body="Spring sale", dedupe_key="promo:spring", clock=clock)  # fmt: skip
        assert renewal_offer_run(clock=clock_on(OFFER_DAY, 9)) == 1
        assert RenewalOffer.objects.filter(contract=contract).exists()
        assert [row[1:5] for row in message_rows(topic="renewal_offer")] == [
            ("sms", "marketing", "renewal_offer", "suppressed"), ("in_app", "marketing", "renewal_offer", "suppressed"),
        ]  # fmt: skip


def test_accepting_before_completion_creates_the_linked_contract_when_the_old_one_completes(shop):
    with schema_context(shop.schema_name):
        old = active_contract()
        offer = renewal_offer_send(contract=old, clock=clock_on(OFFER_DAY))
        current = _new_version(old.plan_version, monthly_price_minor=41_900)

        accepted = renewal_accept(offer=offer, option_key="one_month_free", clock=clock_on(date(2026, 11, 12)))
        assert (accepted.accepted_option, accepted.accepted_at) == ("one_month_free", at_beijing(date(2026, 11, 12)))
        # The pet is still under the old contract: no second open contract yet.
        assert accepted.renewal_contract is None
        assert Contract.objects.count() == 1
        assert renewal_run_shop(clock=clock_on(date(2026, 11, 13))) == RenewalRunReport()
        # Accepting again with the same option changes nothing.
        assert renewal_accept(offer=offer, option_key="one_month_free", clock=clock_on(date(2026, 11, 14))) == accepted
        assert RenewalOffer.objects.get().accepted_at == at_beijing(date(2026, 11, 12))

        contract_finish(old, day=date(2026, 12, 10))
        report = renewal_run_shop(clock=clock_on(date(2026, 12, 11), 8))
        assert report == RenewalRunReport(contracts_created=1)
        new = Contract.objects.exclude(pk=old.pk).get()
        assert (new.status, new.customer_id, new.pet_id, new.plan_version_id) == (
            ContractStatus.DRAFT, old.customer_id, old.pet_id, current.pk,
        )  # fmt: skip
        assert (new.monthly_amount_minor, new.periods, new.total_minor) == (41_900, 12, 502_800)
        assert new.renewal_of == old
        assert RenewalOffer.objects.get().renewal_contract == new
        event = OutboxEvent.objects.get(kind="contract.renewed")
        assert event.aggregate_uuid == old.uuid
        assert event.payload == {
            "contract_uuid": str(old.uuid), "renewal_contract_uuid": str(new.uuid),
            "at": at_beijing(date(2026, 12, 11), 8).isoformat(),
        }  # fmt: skip
        # Run twice: one contract, one event.
        assert renewal_run_shop(clock=clock_on(date(2026, 12, 12))) == RenewalRunReport()
        assert Contract.objects.count() == 2 and OutboxEvent.objects.filter(kind="contract.renewed").count() == 1

        # Signed and started: period 1 collected at ¥419.00; the free month is period 12, waived.
        start = clock_on(date(2026, 12, 12), 12)
        contract_start(new, clock=start)
        assert renewal_run_shop(clock=clock_on(date(2026, 12, 13))) == RenewalRunReport(rewards_applied=1)
        new.refresh_from_db()
        periods = list(DebitPeriod.objects.filter(contract=new).order_by("number").values_list("number", "amount_minor", "status"))
        assert periods[0] == (1, 41_900, PeriodStatus.PAID)
        assert periods[1:11] == [(n, 41_900, PeriodStatus.SCHEDULED) for n in range(2, 12)]
        assert periods[11] == (12, 41_900, PeriodStatus.CANCELLED)
        assert new.total_minor == 11 * 41_900 == 460_900
        journal = Journal.objects.get(idempotency_key=f"renewal.free_months:{new.uuid}")
        assert sorted(journal.lines.values_list("account", "amount_minor")) == [
            ("deferred_revenue", 41_900), ("receivable", -41_900),
        ]  # fmt: skip
        assert account_balances(contract=new) == {
            "cash": 41_900, "receivable": 502_800 - 41_900 - 41_900, "deferred_revenue": -(502_800 - 41_900 - 41_900),
            "plan_revenue": -41_900,
        }  # fmt: skip
        # Once: rerun and a direct call return the same journal.
        assert renewal_run_shop(clock=clock_on(date(2026, 12, 14))) == RenewalRunReport()
        assert renewal_rewards_apply(contract=new).pk == journal.pk
        assert Journal.objects.filter(kind="renewal.free_months").count() == 1
        assert unbalanced_journals() == []


def test_accepting_after_completion_creates_the_contract_at_once_with_ten_percent_off(shop):
    with schema_context(shop.schema_name):
        old = active_contract(version=version_create(monthly_price_minor=59_900, periods=24))
        offer = renewal_offer_send(contract=old, clock=clock_on(date(2027, 11, 10)))
        assert [o["key"] for o in offer.options] == ["ten_percent_vaccine", "two_months_free_food"]
        contract_finish(old, day=date(2027, 12, 10))

        renewal_accept(offer=offer, option_key="ten_percent_vaccine", clock=clock_on(date(2027, 12, 11)))
        new = RenewalOffer.objects.get().renewal_contract
        # 599.00 × 0.9 = 539.10 a month, 24 periods.
        assert (new.monthly_amount_minor, new.periods, new.total_minor) == (53_910, 24, 1_293_840)
        assert (new.status, new.renewal_of_id) == (ContractStatus.DRAFT, old.pk)
        # The discount is in the monthly amount: nothing to waive after the start.
        contract_start(new, clock=clock_on(date(2027, 12, 12)))
        assert renewal_rewards_apply(contract=new) is None
        assert set(DebitPeriod.objects.filter(contract=new).values_list("amount_minor", flat=True)) == {53_910}
        assert unbalanced_journals() == []


def test_two_months_free_waives_the_last_two_periods(shop):
    with schema_context(shop.schema_name):
        old = active_contract(version=version_create(monthly_price_minor=59_900, periods=24))
        offer = renewal_offer_send(contract=old, clock=clock_on(date(2027, 11, 10)))
        contract_finish(old, day=date(2027, 12, 10))
        renewal_accept(offer=offer, option_key="two_months_free_food", clock=clock_on(date(2027, 12, 11)))
        new = RenewalOffer.objects.get().renewal_contract
        assert (new.monthly_amount_minor, new.total_minor) == (59_900, 24 * 59_900)
        contract_start(new, clock=clock_on(date(2027, 12, 12)))
        journal = renewal_rewards_apply(contract=new, clock=clock_on(date(2027, 12, 12)))
        assert sorted(journal.lines.values_list("account", "amount_minor")) == [
            ("deferred_revenue", 119_800), ("receivable", -119_800),
        ]  # fmt: skip
        new.refresh_from_db()
        assert new.total_minor == 22 * 59_900 == 1_317_800
        assert list(
            DebitPeriod.objects.filter(contract=new, status=PeriodStatus.CANCELLED).values_list("number", flat=True)
        ) == [23, 24]
        # The renewal contract's own offer comes a month before its last *charged* period (22).
        last_charged = DebitPeriod.objects.get(contract=new, number=22).due_date
        assert renewal_offer_run(clock=clock_on(renewal_offer_due_on(last_due_date=last_charged))) == 1
        assert unbalanced_journals() == []


def _unchanged():
    return (
        list(RenewalOffer.objects.values_list("accepted_option", "accepted_at", "renewal_contract_id")),
        Contract.objects.count(),
        OutboxEvent.objects.count(),
        Journal.objects.count(),
    )


def test_bad_acceptances_are_refused_and_write_nothing(shop):
    with schema_context(shop.schema_name):
        old = active_contract()
        offer = renewal_offer_send(contract=old, clock=clock_on(OFFER_DAY))
        before = _unchanged()
        for key in ("ten_percent_vaccine", "nonsense", "", None, 12):
            with pytest.raises(ValidationFailed):
                renewal_accept(offer=offer, option_key=key, clock=clock_on(OFFER_DAY))
        assert _unchanged() == before

        renewal_accept(offer=offer, option_key="gift_pack_groomings", clock=clock_on(OFFER_DAY))
        accepted = _unchanged()
        with pytest.raises(Conflict):
            renewal_accept(offer=offer, option_key="one_month_free", clock=clock_on(OFFER_DAY))
        assert _unchanged() == accepted


def test_a_terminated_contract_or_a_plan_off_sale_cannot_be_renewed(shop):
    with schema_context(shop.schema_name):
        terminated = active_contract()
        offer = renewal_offer_send(contract=terminated, clock=clock_on(OFFER_DAY))
        Contract.objects.filter(pk=terminated.pk).update(status=ContractStatus.TERMINATED_EARLY)
        before = _unchanged()
        with pytest.raises(IllegalTransition):
            renewal_accept(offer=offer, option_key="one_month_free", clock=clock_on(OFFER_DAY))
        assert _unchanged() == before
        with pytest.raises(IllegalTransition):
            renewal_offer_send(contract=active_contract(status=ContractStatus.SIGNED), clock=clock_on(OFFER_DAY))

        off_sale = active_contract()
        offer = renewal_offer_send(contract=off_sale, clock=clock_on(OFFER_DAY))
        off_sale.plan_version.plan.is_active = False
        off_sale.plan_version.plan.save()
        before = _unchanged()
        with pytest.raises(UnknownPlanVersion):
            renewal_accept(offer=offer, option_key="one_month_free", clock=clock_on(OFFER_DAY))
        assert _unchanged() == before
        # And no offer is made for a plan off sale.
        quiet = active_contract(version=off_sale.plan_version)
        assert renewal_offer_run(clock=clock_on(OFFER_DAY)) == 0
        assert not RenewalOffer.objects.filter(contract=quiet).exists()
