import hashlib

import pytest

from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.services.agreement import agreement_render
from pawpact.billing.services.signing import application_create, application_credit_check, contract_sign
from pawpact.customers.services import customer_create, pet_create
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, phone_ending


def _checked(basic, clock, suffix: str):
    customer = customer_create(name="Wang Fang", phone=phone_ending(suffix), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=customer, name="Mimi", species="cat", breed="Ragdoll")
    contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    return application_credit_check(contract=contract, clock=clock)


def test_the_agreement_states_every_term_in_both_languages(basic, clock):
    contract = _checked(basic, clock, "999")
    text = agreement_render(contract=contract)

    expected = [
        "宠物月付套餐协议 / Monthly Pet Plan Agreement",
        f"协议编号 Agreement no.: {contract.uuid}",
        "套餐 Plan: Basic 基础款（版本 version 1）",
        "门店 Shop: Alpha Pets",
        "领养人 Adopter: Wang Fang",
        "宠物 Pet: Mimi（猫 cat, Ragdoll）",
        "每月扣款 Monthly debit: ¥399.00",
        "期数 Number of periods: 12",
        "总费用 TOTAL COST: ¥4,788.00（¥399.00 × 12）",
        "定向用途 Directed scope of use: 每月¥399.00，仅用于宠粮、猫砂、驱虫及基础体检 / "
        "¥399.00/month for food, litter, deworming and basic check-ups only",
        "此后每月10日扣款",
        "then on day 10 of each month, 12 periods in all",
        "- 宠粮 Food: 指定宠粮 Designated food × 1500 g",
        "- 猫砂 Litter: 猫砂 Litter × 1 bag",
        "- 体检 Check-up: 基础体检 Basic check-up × 1 visit",
        "履约奖励 Fulfilment reward: 连续按时支付6期，赠送驱虫1次 / 6 consecutive paid periods: 1 free deworming",
        "信用分950，免收押金。 / Credit score 950: no deposit is required.",
        "The deposit is refunded in full on every exit",
        "合同生效后7天内，领养人可无理由取消，已支付的全部款项全额退还",
        "Within 7 days of the contract starting, the adopter may cancel for any reason; everything paid is "
        "refunded in full",
        "Early termination penalty = remaining unpaid amount × 10%, never more than 10% of the remaining unpaid "
        "amount. Example: ending after period 1 is paid leaves ¥4,389.00 unpaid, so the penalty is ¥438.90.",
        "Within 30 days of adoption",
        "If the pet dies or is lost (with evidence), the plan ends without any penalty",
        "If the shop closes, its debits stop at once.",
        "Only the adopter signs this agreement.",
    ]
    for passage in expected:
        assert passage in text, passage
    phone = contract.customer.phone
    assert f"手机 phone {phone[:3]}****{phone[-4:]}" in text and phone not in text  # masked
    assert agreement_render(contract=contract) == text  # deterministic


def test_a_low_score_agreement_names_the_deposit(basic, clock):
    text = agreement_render(contract=_checked(basic, clock, "000"))
    assert (
        "信用分350（低于600），需支付可退还押金¥500.00，于合同生效时收取。 / Credit score 350 (below 600): "
        "a refundable deposit of ¥500.00 is collected when the contract starts."
    ) in text


def test_a_preview_before_the_credit_check_states_the_deposit_rule(basic, clock):
    customer = customer_create(name="Wang Fang", phone=phone_ending("999"), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=customer, name="Mimi", species="cat")
    draft = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    assert (
        "The credit check decides the deposit: none for a score of 600 or more, "
        "a refundable deposit of ¥500.00 below 600."
    ) in agreement_render(contract=draft)


def test_the_signed_text_and_its_hash_are_kept_and_the_pdf_carries_them(basic, clock):
    contract = _checked(basic, clock, "999")
    shown = agreement_render(contract=contract)
    contract = contract_sign(
        contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="Mozilla/5.0", clock=clock
    )
    contract.refresh_from_db()

    assert contract.agreement_text == shown
    assert contract.agreement_sha256 == hashlib.sha256(shown.encode("utf-8")).hexdigest()
    pdf = agreement_pdf(contract)
    assert pdf.startswith(b"%PDF")
    assert contract.agreement_sha256.encode() in pdf
    assert len(pdf) > 2000


def test_an_unsigned_contract_has_no_pdf(basic, clock):
    with pytest.raises(ValueError):
        agreement_pdf(_checked(basic, clock, "999"))
