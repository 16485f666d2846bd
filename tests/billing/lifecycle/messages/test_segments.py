"""Segments, the exit survey and win-back offer on termination, the survey page, win-back redemption."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.ledger import account_balances, unbalanced_journals
from pawpact.billing.models import Contract, DebitPeriod, Journal
from pawpact.billing.services.signing import application_create
from pawpact.core.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationFailed
from pawpact.customers.enums import CustomerStanding
from pawpact.customers.models import Customer, Pet
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.loyalty.selectors import customer_segment, customer_segment_list
from pawpact.loyalty.services import (
    exit_followup_send,
    survey_answer,
    winback_credit_apply,
    winback_credit_run,
    winback_redeem,
)
from pawpact.messaging.models import Message
from pawpact.messaging.services import message_send
from tests.billing.lifecycle.messages.helpers import (
    active_contract,
    at_beijing,
    clock_on,
    contract_start,
    message_rows,
)
from tests.conftest import host_of

ENDED = date(2026, 5, 20)


def _ended(contract: Contract, status: ContractStatus, day: date = ENDED) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(status=status, ended_at=at_beijing(day))
    contract.refresh_from_db()
    return contract


def _standing(contract: Contract, standing: CustomerStanding) -> None:
    Customer.objects.filter(pk=contract.customer_id).update(standing=standing)


def _again(old: Contract, *, status: ContractStatus = ContractStatus.ACTIVE, version=None) -> Contract:
    """Another contract of the same customer, for another pet."""
    pet = Pet.objects.create(owner=old.customer, name="Second", species="dog")
    version = version or old.plan_version
    return Contract.objects.create(
        customer=old.customer, pet=pet, plan_version=version, status=status, monthly_amount_minor=39_900,
        periods=12, total_minor=478_800, payment_method=old.payment_method,
    )  # fmt: skip


# --- Segments -------------------------------------------------------------------------------


def test_segment_lists_are_exact(shop, other_shop):
    with schema_context(shop.schema_name):
        current = active_contract()
        completed = _ended(active_contract(), ContractStatus.COMPLETED)
        overdue = active_contract()
        _standing(overdue, CustomerStanding.OVERDUE)
        defaulted = _ended(active_contract(), ContractStatus.DEFAULTED)
        _standing(defaulted, CustomerStanding.DEFAULT)
        grace = active_contract()
        _standing(grace, CustomerStanding.GRACE)
        early = _ended(active_contract(), ContractStatus.TERMINATED_EARLY)
        pet_loss = _ended(active_contract(), ContractStatus.TERMINATED_PET_LOSS)
        cooling_off = _ended(active_contract(), ContractStatus.CANCELLED_COOLING_OFF)
        # Completed once, then terminated a later contract: terminated.
        completed_then_terminated = _ended(active_contract(), ContractStatus.COMPLETED, date(2026, 3, 1))
        _ended(_again(completed_then_terminated), ContractStatus.TERMINATED_EARLY, date(2026, 4, 1))
        # Terminated once, then signed again: normal.
        won_back = _ended(active_contract(), ContractStatus.TERMINATED_EARLY)
        _again(won_back)
        # Only a draft, or a withdrawn application: in no segment.
        draft_only = active_contract(status=ContractStatus.DRAFT)
        withdrawn = _ended(active_contract(), ContractStatus.WITHDRAWN)

        def names(segment):
            return [c.pk for c in customer_segment_list(name=segment).order_by("pk")]

        assert names("normal") == sorted(c.customer_id for c in (current, completed, grace, won_back))
        assert names("overdue") == sorted(c.customer_id for c in (overdue, defaulted))
        assert names("terminated") == sorted(
            c.customer_id for c in (early, pet_loss, cooling_off, completed_then_terminated)
        )
        for nobody in (draft_only, withdrawn):
            assert customer_segment(customer=nobody.customer) is None
        assert customer_segment(customer=overdue.customer) == "overdue"
        with pytest.raises(NotFound):
            customer_segment_list(name="vip")
    with schema_context(other_shop.schema_name):
        assert [list(customer_segment_list(name=n)) for n in ("normal", "overdue", "terminated")] == [[], [], []]


# --- Exit follow-up ---------------------------------------------------------------------------


def test_termination_sends_a_survey_and_a_winback_offer_once(shop):
    with schema_context(shop.schema_name):
        contract = _ended(active_contract(), ContractStatus.TERMINATED_EARLY)
        clock = clock_on(ENDED, 15)
        survey, offer = exit_followup_send(contract=contract, clock=clock)

        assert (survey.contract_id, survey.sent_at, survey.answered_at, survey.score) == (
            contract.pk, clock.now(), None, None,
        )  # fmt: skip
        assert len(survey.token) == 32
        assert offer.code.startswith("WB") and len(offer.code) == 12
        assert (offer.customer_id, offer.contract_id, offer.discount_rate) == (
            contract.customer_id, contract.pk, Decimal("0.500"),
        )  # fmt: skip
        assert (offer.sent_at, offer.expires_at) == (clock.now(), clock.now() + timedelta(days=30))
        link = f"http://{host_of(shop)}:8000/survey/{survey.token}/"  # the run command's address
        assert [(row[1], row[2], row[3], row[4]) for row in message_rows()] == [
            ("sms", "service", "exit_survey", "sent"), ("in_app", "service", "exit_survey", "sent"),
            ("sms", "marketing", "winback_offer", "sent"), ("in_app", "marketing", "winback_offer", "sent"),
        ]  # fmt: skip
        bodies = {m.topic: m.body for m in Message.objects.all()}
        assert bodies["exit_survey"] == (
            f"【Alpha Pets】您的宠粮月付已结束。欢迎花一分钟告诉我们您的体验：{link} / "
            f"Your plan has ended. Tell us how we did in one minute: {link}"
        )
        assert bodies["winback_offer"] == (
            f"【Alpha Pets】重新签约首月立减 50%，优惠码 {offer.code}，2026-06-19 前有效。 / "
            f"Sign again and get 50% off your first month with code {offer.code}, valid until 2026-06-19."
        )
        # Twice: the same survey, offer and messages.
        assert exit_followup_send(contract=contract, clock=clock_on(ENDED, 16)) == (survey, offer)
        assert (SurveyResponse.objects.count(), WinBackOffer.objects.count(), Message.objects.count()) == (1, 1, 4)


def test_the_winback_offer_is_capped_the_survey_is_not(shop):
    with schema_context(shop.schema_name):
        contract = _ended(active_contract(), ContractStatus.TERMINATED_PET_LOSS)
        message_send(customer=contract.customer, topic="promo", category="marketing", channels=["sms"], subject="",
                     body="Sale", dedupe_key="promo:1", clock=clock_on(ENDED, 9))  # fmt: skip
        exit_followup_send(contract=contract, clock=clock_on(ENDED, 15))
        assert {m.topic: m.status for m in Message.objects.exclude(topic="promo")} == {
            "exit_survey": "sent", "winback_offer": "suppressed",
        }  # fmt: skip


def test_no_follow_up_for_a_contract_that_did_not_terminate(shop):
    with schema_context(shop.schema_name):
        for status in (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.WITHDRAWN):
            with pytest.raises(IllegalTransition):
                exit_followup_send(contract=active_contract(status=status), clock=clock_on(ENDED))
        assert (SurveyResponse.objects.count(), WinBackOffer.objects.count(), Message.objects.count()) == (0, 0, 0)


# --- Survey ----------------------------------------------------------------------------------


def test_the_survey_is_answered_once_with_a_score_of_1_to_5(shop):
    with schema_context(shop.schema_name):
        contract = _ended(active_contract(), ContractStatus.TERMINATED_EARLY)
        survey, _offer = exit_followup_send(contract=contract, clock=clock_on(ENDED))
        for score in (0, 6, "x", None, True):
            with pytest.raises(ValidationFailed):
                survey_answer(token=survey.token, score=score, comment="")
        with pytest.raises(ValidationFailed):
            survey_answer(token=survey.token, score=3, comment="x" * 2001)
        with pytest.raises(NotFound):
            survey_answer(token="nope", score=3)
        assert SurveyResponse.objects.get().answered_at is None

        answered = survey_answer(token=survey.token, score=4, comment=" Good food ", clock=clock_on(ENDED, 20))
        assert (answered.score, answered.answers, answered.answered_at) == (4, {"comment": "Good food"}, at_beijing(ENDED, 20))
        with pytest.raises(Conflict):
            survey_answer(token=survey.token, score=1)
        assert SurveyResponse.objects.get().score == 4


def test_the_public_survey_page_on_the_shop_domain(shop, other_shop, shop_client):
    with schema_context(shop.schema_name):
        contract = _ended(active_contract(), ContractStatus.TERMINATED_EARLY)
        survey, _offer = exit_followup_send(contract=contract, clock=clock_on(ENDED))
    url = f"/survey/{survey.token}/"
    page = shop_client.get(url)
    assert page.status_code == 200
    assert 'name="score"' in page.content.decode() and "Alpha Pets" in page.content.decode()

    assert shop_client.post(url, {"score": "9", "comment": "?"}).status_code == 400
    with schema_context(shop.schema_name):
        assert SurveyResponse.objects.get().answered_at is None

    done = shop_client.post(url, {"score": "5", "comment": "Lovely staff"})
    assert done.status_code == 200 and "Thank you!" in done.content.decode()
    with schema_context(shop.schema_name):
        assert SurveyResponse.objects.values_list("score", "answers").get() == (5, {"comment": "Lovely staff"})
    assert "Thank you!" in shop_client.get(url).content.decode()
    # Another shop's domain does not know this token; nor does this one know a made-up one.
    from django.test import Client

    assert Client(HTTP_HOST=host_of(other_shop)).get(url).status_code == 404
    assert shop_client.get("/survey/made-up/").status_code == 404


# --- Win-back redemption ---------------------------------------------------------------------


def _winback(shop_contract_status=ContractStatus.TERMINATED_EARLY):
    old = _ended(active_contract(), shop_contract_status)
    _survey, offer = exit_followup_send(contract=old, clock=clock_on(ENDED))
    return old, offer


def _new_contract(old: Contract, *, day: date) -> Contract:
    """The customer signs again (a new draft for the same pet, the old contract having ended)."""
    return application_create(customer=old.customer, pet=old.pet, plan_version_id=old.plan_version_id,
                              clock=clock_on(day))  # fmt: skip


def test_winback_halves_the_first_month_credited_on_the_next_debit(shop):
    with schema_context(shop.schema_name):
        old, offer = _winback()
        new = _new_contract(old, day=date(2026, 6, 1))
        redeemed = winback_redeem(offer=offer, contract=new, clock=clock_on(date(2026, 6, 1)))
        assert (redeemed.redeemed_contract_id, redeemed.redeemed_at) == (new.pk, at_beijing(date(2026, 6, 1)))
        # A draft has no calendar yet: the credit waits for the start.
        assert winback_credit_apply(contract=new) is None
        assert winback_credit_run(clock=clock_on(date(2026, 6, 1))) == 0

        contract_start(new, clock=clock_on(date(2026, 6, 2)))
        assert winback_credit_run(clock=clock_on(date(2026, 6, 3))) == 1
        new.refresh_from_db()
        periods = list(DebitPeriod.objects.filter(contract=new).order_by("number").values_list("number", "amount_minor", "status"))
        assert periods[0] == (1, 39_900, PeriodStatus.PAID)
        assert periods[1] == (2, 19_950, PeriodStatus.SCHEDULED)  # 399.00 − 199.50
        assert periods[2:] == [(n, 39_900, PeriodStatus.SCHEDULED) for n in range(3, 13)]
        assert new.total_minor == 478_800 - 19_950 == 458_850
        journal = Journal.objects.get(idempotency_key=f"winback.credit:{offer.code}")
        assert sorted(journal.lines.values_list("account", "amount_minor")) == [
            ("deferred_revenue", 19_950), ("receivable", -19_950),
        ]  # fmt: skip
        assert account_balances(contract=new) == {
            "cash": 39_900, "receivable": 478_800 - 39_900 - 19_950, "deferred_revenue": -(478_800 - 39_900 - 19_950),
            "plan_revenue": -39_900,
        }  # fmt: skip
        # Once.
        assert winback_credit_run(clock=clock_on(date(2026, 6, 4))) == 0
        assert winback_credit_apply(contract=new).pk == journal.pk
        assert winback_redeem(offer=offer, contract=new).pk == offer.pk
        assert DebitPeriod.objects.get(contract=new, number=2).amount_minor == 19_950
        assert unbalanced_journals() == []


def test_redeeming_on_an_active_contract_credits_at_once(shop):
    with schema_context(shop.schema_name):
        old, offer = _winback()
        new = _new_contract(old, day=date(2026, 6, 1))
        contract_start(new, clock=clock_on(date(2026, 6, 1)))
        winback_redeem(offer=offer, contract=new, clock=clock_on(date(2026, 6, 1)))
        assert DebitPeriod.objects.get(contract=new, number=2).amount_minor == 19_950
        assert Journal.objects.filter(kind="winback.credit").count() == 1
        assert unbalanced_journals() == []


def _redemption_state():
    return (
        list(WinBackOffer.objects.values_list("redeemed_at", "redeemed_contract_id")),
        Journal.objects.count(),
        list(DebitPeriod.objects.order_by("id").values_list("amount_minor", flat=True)),
    )


def test_bad_redemptions_are_refused_and_write_nothing(shop):
    with schema_context(shop.schema_name):
        old, offer = _winback()
        stranger = active_contract(status=ContractStatus.DRAFT)
        new = _new_contract(old, day=date(2026, 6, 1))
        before = _redemption_state()
        cases = [
            (PermissionDenied, stranger, date(2026, 6, 1)),  # someone else's contract
            (ValidationFailed, old, date(2026, 6, 1)),  # the terminated contract itself
            (BusinessRuleViolation, new, date(2026, 6, 20)),  # expired: sent 20 May at noon, valid 30 days
        ]
        for error, contract, day in cases:
            with pytest.raises(error):
                winback_redeem(offer=offer, contract=contract, clock=clock_on(day))
            assert _redemption_state() == before
        earlier = _again(old, status=ContractStatus.ACTIVE)
        Contract.objects.filter(pk=earlier.pk).update(created_at=at_beijing(date(2026, 5, 1)))
        with pytest.raises(ValidationFailed):  # made before the offer: not a new contract
            winback_redeem(offer=offer, contract=earlier, clock=clock_on(date(2026, 6, 1)))
        assert _redemption_state() == before

        winback_redeem(offer=offer, contract=new, clock=clock_on(date(2026, 6, 1)))
        used = _redemption_state()
        another = _again(old, status=ContractStatus.DRAFT)
        with pytest.raises(Conflict):
            winback_redeem(offer=offer, contract=another, clock=clock_on(date(2026, 6, 2)))
        assert _redemption_state() == used
