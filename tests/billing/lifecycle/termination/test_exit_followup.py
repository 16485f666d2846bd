"""The exit survey ("your plan has ended") and the win-back offer go only to a customer with
no active contract left: ending one plan while another runs is not leaving."""
from decimal import Decimal

import pytest

from pawpact.billing.services.termination import contract_cancel_cooling_off, contract_terminate_pet_loss
from pawpact.loyalty.coupon_models import Coupon
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.messaging.models import Message
from tests.billing.lifecycle.termination.helpers import adopt

pytestmark = pytest.mark.usefixtures("in_shop")

FOLLOWUP_TOPICS = ("exit_survey", "winback_offer")


def followup_messages(customer) -> list[tuple[str, str]]:
    return sorted(
        Message.objects.filter(customer=customer, topic__in=FOLLOWUP_TOPICS).values_list("topic", "channel")
    )


def test_a_customer_with_another_active_plan_gets_neither_message(traveller, followups):
    first = adopt()
    second = adopt(customer=first.customer)

    contract_cancel_cooling_off(contract=first)

    assert followups == [str(first.uuid)]  # loyalty was told, and decided
    assert followup_messages(first.customer) == []
    assert SurveyResponse.objects.count() == WinBackOffer.objects.count() == 0

    # The last active plan ends: now the customer has left, and hears from the shop once.
    contract_terminate_pet_loss(contract=second, evidence_note="Lost on a walk, police report 42.")

    assert followup_messages(first.customer) == [
        ("exit_survey", "in_app"), ("exit_survey", "sms"), ("winback_offer", "in_app"), ("winback_offer", "sms"),
    ]  # fmt: skip
    assert SurveyResponse.objects.get().contract == second
    assert WinBackOffer.objects.get().contract == second
    assert WinBackOffer.objects.get().discount_rate == Decimal("0.500")
    body = Message.objects.get(customer=first.customer, topic="exit_survey", channel="in_app").body
    assert "Your plan has ended." in body


def test_a_cooling_off_cancellation_gets_the_survey_but_no_win_back_offer_or_coupon(traveller, followups):
    contract = adopt()

    contract_cancel_cooling_off(contract=contract)

    # Changing one's mind within the cooling-off days is not leaving as a paying customer:
    # the shop asks how it did, and pushes no discount at them the same minute.
    assert followups == [str(contract.uuid)]
    assert followup_messages(contract.customer) == [("exit_survey", "in_app"), ("exit_survey", "sms")]
    assert SurveyResponse.objects.get().contract == contract
    assert WinBackOffer.objects.count() == 0
    assert not Coupon.objects.filter(customer=contract.customer).exists()
