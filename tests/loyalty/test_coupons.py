"""Coupon templates and coupons: bad input writes nothing, limits, idempotent issue, the
kinds' exact amounts where each is used, used at most once."""
from datetime import date, timedelta

import pytest

from pawpact.billing.enums import JournalKind
from pawpact.billing.ledger import account_balances
from pawpact.billing.models import Contract, DebitPeriod, DeferralCoupon, Journal
from pawpact.core.errors import NotFound, ValidationFailed
from pawpact.loyalty.coupon_models import Coupon, CouponStatus, CouponTemplate, CouponUse
from pawpact.loyalty.coupon_templates import coupon_template_save
from pawpact.loyalty.coupons import (
    coupon_apply_to_contract,
    coupon_discount,
    coupon_issue,
    coupon_issue_if_allowed,
    coupon_redeem_order,
)
from pawpact.loyalty.errors import CouponExpired, CouponLimitReached, CouponNotApplicable, CouponUsed
from tests.billing.lifecycle.termination.helpers import adopt
from tests.loyalty.conftest import member
from tests.loyalty.coupon_helpers import amount_off, fixed, percent_off

pytestmark = pytest.mark.usefixtures("in_shop", "traveller")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "percent_off", "percent_off": 101, "valid_days": 7}, "percent_off"),
        ({"kind": "percent_off", "percent_off": 0, "valid_days": 7}, "percent_off"),
        ({"kind": "percent_off", "percent_off": -5, "valid_days": 7}, "percent_off"),
        ({"kind": "amount_off", "amount_off_minor": 10.005, "valid_days": 7}, "amount_off_minor"),
        ({"kind": "amount_off", "amount_off_minor": 0, "valid_days": 7}, "amount_off_minor"),
        ({"kind": "amount_off", "amount_off_minor": 500, "valid_from": date(2026, 4, 1),
          "valid_until": date(2026, 3, 31)}, "valid_until"),  # fmt: skip
        ({"kind": "amount_off", "amount_off_minor": 500, "valid_days": 7, "valid_until": date(2026, 4, 1)},
         "valid_days"),  # fmt: skip
        ({"kind": "amount_off", "amount_off_minor": 500}, "valid_until"),
        ({"kind": "bogus", "valid_days": 7}, "kind"),
        ({"kind": "free_service", "valid_days": 7, "per_customer_limit": 0}, "per_customer_limit"),
    ],
)
def test_bad_templates_are_refused_and_nothing_is_written(data, field):
    with pytest.raises(ValidationFailed) as caught:
        coupon_template_save(name="Bad", **data)
    assert field in caught.value.fields
    assert CouponTemplate.objects.count() == 0


def test_an_edit_keeps_what_the_kind_does_not_use_at_zero():
    template = amount_off(5_000, min_spend_minor=20_000)
    template = coupon_template_save(template=template, kind="percent_off", percent_off=15)
    template.refresh_from_db()
    assert (template.kind, template.percent_off, template.amount_off_minor, template.min_spend_minor) == (
        "percent_off", 15, 0, 20_000)
    with pytest.raises(ValidationFailed):
        coupon_template_save(template=template, percent_off=150)
    template.refresh_from_db()
    assert template.percent_off == 15


def test_issue_is_idempotent_per_source_key_and_counts_the_limits():
    template = amount_off(5_000, total_limit=2, per_customer_limit=1)
    a, b, c = member(), member(), member()
    first = coupon_issue(template=template, customer=a, source_key="staff:1")
    assert coupon_issue(template=template, customer=a, source_key="staff:1").pk == first.pk
    assert (first.valid_from, first.valid_until, first.status) == (date(2026, 3, 9), date(2026, 4, 7), "issued")
    assert first.code.startswith("CP") and len(first.code) == 10
    with pytest.raises(CouponLimitReached):
        coupon_issue(template=template, customer=a, source_key="staff:2")  # one per customer
    coupon_issue(template=template, customer=b, source_key="staff:3")
    with pytest.raises(CouponLimitReached):
        coupon_issue(template=template, customer=c, source_key="staff:4")  # two in all
    assert coupon_issue_if_allowed(template=template, customer=c, source_key="staff:5") is None
    template.refresh_from_db()
    assert (template.issued_count, Coupon.objects.count()) == (2, 2)


def test_a_fixed_window_starts_on_its_first_day_and_an_ended_one_issues_nothing():
    later = fixed("percent_off", date(2026, 4, 1), date(2026, 4, 30), percent_off=10)
    coupon = coupon_issue(template=later, customer=member(), source_key="k1")
    assert (coupon.valid_from, coupon.valid_until) == (date(2026, 4, 1), date(2026, 4, 30))
    over = fixed("percent_off", date(2026, 1, 1), date(2026, 3, 8), percent_off=10)
    with pytest.raises(CouponLimitReached):
        coupon_issue(template=over, customer=member(), source_key="k2")
    assert Coupon.objects.count() == 1


def test_order_discounts_exact_and_minimum_spend():
    customer = member()
    ten = coupon_issue(template=amount_off(1_000, min_spend_minor=10_000), customer=customer, source_key="a")
    assert coupon_discount(customer=customer, subtotal_minor=10_000, coupon_code=ten.code).amount_minor == 1_000
    with pytest.raises(CouponNotApplicable):
        coupon_discount(customer=customer, subtotal_minor=9_999, coupon_code=ten.code)
    pct = coupon_issue(template=percent_off(15), customer=customer, source_key="b")
    # 15% of ¥123.45 = ¥18.5175 → ¥18.52 (half up)
    assert coupon_discount(customer=customer, subtotal_minor=12_345, coupon_code=pct.code.lower()).amount_minor == 1_852
    assert coupon_discount(customer=customer, subtotal_minor=12_345).amount_minor == 0


def test_a_coupon_of_another_customer_expired_or_used_is_refused_and_nothing_changes(traveller):
    owner, other = member(), member()
    coupon = coupon_issue(template=amount_off(1_000, days=7), customer=owner, source_key="a")
    with pytest.raises(NotFound):
        coupon_redeem_order(customer=other, coupon_code=coupon.code, order_uuid="o-1", amount_minor=1_000)
    coupon_redeem_order(customer=owner, coupon_code=coupon.code, order_uuid="o-2", amount_minor=1_000)
    with pytest.raises(CouponUsed):
        coupon_redeem_order(customer=owner, coupon_code=coupon.code, order_uuid="o-3", amount_minor=1_000)
    use = CouponUse.objects.get()
    assert (use.coupon_id, use.kind, use.reference, use.amount_minor) == (coupon.pk, "order", "o-2", 1_000)
    late = coupon_issue(template=amount_off(1_000, days=7), customer=owner, source_key="b")
    traveller.shift(timedelta(days=7))
    with pytest.raises(CouponExpired):
        coupon_discount(customer=owner, subtotal_minor=50_000, coupon_code=late.code)
    with pytest.raises(CouponExpired):
        coupon_redeem_order(customer=owner, coupon_code=late.code, order_uuid="o-4", amount_minor=1_000)
    late.refresh_from_db()
    assert late.status == CouponStatus.ISSUED and CouponUse.objects.count() == 1


def _amounts(contract):
    return list(DebitPeriod.objects.filter(contract=contract).order_by("number").values_list("amount_minor", flat=True))


def test_amount_off_and_half_price_credit_the_next_debit_once_with_a_balanced_journal():
    contract = adopt()
    customer = contract.customer
    total = Contract.objects.get(pk=contract.pk).total_minor
    fifty = coupon_issue(template=amount_off(5_000), customer=customer, source_key="a")
    half = coupon_issue(template=coupon_template_save(name="Half", kind="first_month_half", valid_days=30),
                        customer=customer, source_key="b")  # fmt: skip
    coupon_apply_to_contract(customer=customer, code=fifty.code, contract=contract)
    with pytest.raises(CouponUsed):
        coupon_apply_to_contract(customer=customer, code=fifty.code, contract=contract)
    use = coupon_apply_to_contract(customer=customer, code=half.code, contract=contract)
    assert use.amount_minor == 19_950  # half of ¥399.00
    assert _amounts(contract)[:2] == [39_900, 39_900 - 5_000 - 19_950]
    assert Contract.objects.get(pk=contract.pk).total_minor == total - 24_950
    journals = Journal.objects.filter(kind=JournalKind.COUPON_CREDIT)
    assert sorted(journals.values_list("idempotency_key", flat=True)) == sorted(
        [f"coupon.credit:{fifty.code}", f"coupon.credit:{half.code}"])
    assert sum(account_balances().values()) == 0


def test_a_deferral_coupon_becomes_a_deferral_of_the_contract_and_an_order_coupon_is_refused_there():
    contract = adopt()
    deferral = coupon_issue(template=coupon_template_save(name="Defer", kind="deferral", valid_days=30),
                            customer=contract.customer, source_key="a")  # fmt: skip
    coupon_apply_to_contract(customer=contract.customer, code=deferral.code, contract=contract)
    assert DeferralCoupon.objects.filter(contract=contract, used_at__isnull=True).count() == 1
    pct = coupon_issue(template=percent_off(10), customer=contract.customer, source_key="b")
    before = _amounts(contract)
    with pytest.raises(CouponNotApplicable):
        coupon_apply_to_contract(customer=contract.customer, code=pct.code, contract=contract)
    with pytest.raises(NotFound):  # another customer's contract is not theirs to credit
        coupon_apply_to_contract(customer=member(), code=pct.code, contract=contract)
    pct.refresh_from_db()
    assert (pct.status, _amounts(contract), CouponUse.objects.count()) == ("issued", before, 1)
