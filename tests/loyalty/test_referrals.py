"""Referrals: codes, the newcomer's ¥200 off the deposit, the referrer's 1,000 points and
¥50 off the next debit, once; self-referral and loops refused."""
from datetime import date

import pytest

from pawpact.billing.enums import DepositStatus
from pawpact.billing.models import Contract, DebitPeriod, Journal
from pawpact.customers.services import customer_create
from pawpact.loyalty import referrals
from pawpact.loyalty.errors import ReferralRefused
from pawpact.loyalty.models import Membership, PointsEntry
from pawpact.loyalty.wallet_models import Referral, ReferralStatus
from tests.billing.lifecycle.termination.helpers import LOW, adopt, plan_version
from tests.loyalty.conftest import member
from tests.consent import consented

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


def newcomer(n: int):
    return customer_create(name=f"Newcomer {n}", phone=f"1360000{n:01d}{LOW}", birth_date=date(1995, 5, 5))


def period_amounts(contract):
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("amount_minor", flat=True))


def test_a_code_is_made_once_and_reads_well():
    customer = member()
    code = referrals.code_for(customer=customer)
    assert referrals.code_for(customer=customer).pk == code.pk
    assert len(code.code) == 8 and not set(code.code) & set("01OI")


def test_a_converted_referral_rewards_both_sides_exactly_once():
    referrer_contract = adopt()
    referrer = referrer_contract.customer
    before_periods = period_amounts(referrer_contract)
    code = referrals.code_for(customer=referrer).code
    newbie = newcomer(1)
    referral = referrals.claim(newcomer=newbie, code=code.lower())
    assert referral.status == ReferralStatus.PENDING

    contract = adopt(customer=newbie)
    deposit = plan_version().deposit_minor
    assert (contract.deposit_minor, contract.deposit_status) == (deposit - 20_000, DepositStatus.HELD)
    referral.refresh_from_db()
    assert (referral.status, referral.contract_id, referral.deposit_discount_minor) == (
        ReferralStatus.CONVERTED, contract.pk, 20_000)
    assert referral.referrer_points == 1_000 and referral.referrer_credit_minor == 5_000
    entry = PointsEntry.objects.get(source_key=f"referral:{newbie.uuid}")
    assert (entry.customer_id, entry.points) == (referrer.pk, 1_000)
    assert Membership.objects.get(customer=referrer).points_balance == 100 + 1_000  # period 1 paid + referral
    assert period_amounts(referrer_contract)[1] == before_periods[1] - 5_000
    assert Journal.objects.filter(idempotency_key=f"referral.credit:{referral.uuid}").count() == 1

    # Replays of the start event change nothing.
    payload = {"customer_uuid": str(newbie.uuid), "contract_uuid": str(contract.uuid)}
    referrals.referral_on_contract_signed(payload=payload)
    referrals.referral_on_contract_signed(payload=payload)
    assert Membership.objects.get(customer=referrer).points_balance == 1_100
    assert period_amounts(referrer_contract)[1] == before_periods[1] - 5_000
    assert Journal.objects.filter(kind="referral.credit").count() == 1


def test_a_referrer_without_a_plan_gets_the_credit_when_theirs_starts():
    referrer = customer_create(name="Referrer", phone=f"13500000{LOW}", birth_date=date(1995, 5, 5))
    newbie = newcomer(2)
    referrals.claim(newcomer=newbie, code=referrals.code_for(customer=referrer).code)
    adopt(customer=newbie)
    referral = Referral.objects.get(referred=newbie)
    assert referral.status == ReferralStatus.CONVERTED and referral.referrer_credit_minor == 0
    own = adopt(customer=referrer)
    referral.refresh_from_db()
    assert referral.referrer_credit_minor == 5_000
    assert period_amounts(own)[1] == Contract.objects.get(pk=own.pk).monthly_amount_minor - 5_000


def test_a_referral_that_never_converts_gives_nothing():
    referrer = adopt().customer
    newbie = newcomer(3)
    referrals.claim(newcomer=newbie, code=referrals.code_for(customer=referrer).code)
    assert not PointsEntry.objects.filter(source_event="referral.converted").exists()
    assert not Journal.objects.filter(kind="referral.credit").exists()
    assert Referral.objects.get().status == ReferralStatus.PENDING


def refused(newbie, code):
    before = list(Referral.objects.values_list("id", "referrer_id", "referred_id"))
    with pytest.raises(ReferralRefused) as error:
        referrals.claim(newcomer=newbie, code=code)
    assert error.value.http_status == 422 and list(Referral.objects.values_list("id", "referrer_id", "referred_id")) == before
    return error.value


def test_self_referral_same_phone_loops_unknown_codes_and_old_customers_are_refused():
    a = member()
    assert refused(a, referrals.code_for(customer=a).code).fields["code"]
    b, c = member(), member()
    referrals.claim(newcomer=b, code=referrals.code_for(customer=a).code)
    referrals.claim(newcomer=c, code=referrals.code_for(customer=b).code)
    refused(a, referrals.code_for(customer=b).code)  # A→B→A
    refused(a, referrals.code_for(customer=c).code)  # A→B→C→A
    refused(member(), "NOSUCH23")
    refused(c, referrals.code_for(customer=member()).code)  # already referred by B
    signed = adopt().customer
    refused(signed, referrals.code_for(customer=member()).code)



def test_one_discounted_deposit_per_newcomer_while_another_application_is_open():
    from pawpact.billing.services.signing import application_create, application_credit_check
    from pawpact.customers.services import pet_create

    referrer = member()
    newbie = newcomer(4)
    referrals.claim(newcomer=newbie, code=referrals.code_for(customer=referrer).code)
    deposit = plan_version().deposit_minor
    first = application_create(customer=newbie, pet=pet_create(owner=newbie, name="A", species="cat", breed="x"),
                               plan_version_id=plan_version().pk)  # fmt: skip
    second = application_create(customer=newbie, pet=pet_create(owner=newbie, name="B", species="cat", breed="x"),
                                plan_version_id=plan_version().pk)  # fmt: skip
    first, second = application_credit_check(contract=consented(first)), application_credit_check(contract=consented(second))
    assert (first.deposit_minor, second.deposit_minor) == (deposit - 20_000, deposit)
    assert application_credit_check(contract=consented(first)).deposit_minor == deposit - 20_000  # a re-check keeps it
