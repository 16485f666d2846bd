"""Alipay transfers (payouts to shops' Alipay accounts by alipay.fund.trans.uni.transfer)
matched line by line against our payouts, over HTTP against the local fake Alipay, whose
bill lists them under their own business type."""
import uuid
from datetime import timedelta

import pytest

from pawpact.core.clock import local_date
from pawpact.partners.models import Partner
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.enums import MismatchKind, PayoutAccountKind, PayoutAccountStatus, PayoutStatus
from pawpact.platform.funding.alipay_transfers import alipay_transfers_reconcile
from pawpact.platform.funding.ledger import ledger_check
from pawpact.platform.funding.payout_rails import AccountPayoutRail
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.models import PartnerPayoutAccount, Payout, PayoutAccount, ReconciliationMismatch
from pawpact.platform.tasks import alipay_transfers_reconcile_task
from tests.platform.funding.conftest import drain, emit, signed
from tests.platform.funding.test_account_payouts import HOLDER, alipay  # noqa: F401

PAYOUT = 430_920  # one contract's advance, as the settlement pays it
OURS, THEIRS, STRANGER = "2088000000000001", "2088000000000002", "2088000000000777"


@pytest.fixture
def paid(shop, other_shop, clock, alipay):  # noqa: F811
    """Both shops paid one payout each into their Alipay account, today (Alipay books them
    on the platform's test clock)."""
    alipay.payees[THEIRS] = HOLDER
    for each, ref in ((shop, OURS), (other_shop, THEIRS)):
        PayoutAccount.objects.create(shop=each, kind=PayoutAccountKind.ALIPAY_RECEIVER, account_ref=ref,
                                     holder_name=HOLDER, status=PayoutAccountStatus.VERIFIED)  # fmt: skip
        emit(each, signed(uuid.uuid4()))
        drain(each, clock)
    clock.advance(timedelta(days=7))
    assert settlement_run(clock=clock, rail=AccountPayoutRail()).payouts_paid == 2
    for transfer in alipay.transfers.values():
        transfer["trans_date"] = f"{local_date(clock.now()).isoformat()} 10:00:00"
    return {p.shop_id: p for p in Payout.objects.all()}


def _transfer(alipay, out_biz_no: str, amount: str, payee: str):  # noqa: F811
    alipay.transfers[(alipay_app(alipay), out_biz_no)] = {
        "code": "10000", "out_biz_no": out_biz_no, "order_id": f"20269{len(alipay.transfers):019d}",
        "status": "SUCCESS", "trans_date": "", "amount": amount, "payee": payee,
    }  # fmt: skip
    return alipay.transfers[(alipay_app(alipay), out_biz_no)]


def alipay_app(alipay) -> str:  # noqa: F811
    return next(iter(alipay.transfers))[0]


def _rows():
    return sorted((m.shop_id, m.provider, m.kind, m.reference, m.amount_minor, m.our_amount_minor, m.our_record)
                  for m in ReconciliationMismatch.objects.all())  # fmt: skip


def test_every_alipay_transfer_matches_its_payout(paid, clock, alipay):  # noqa: F811
    result = alipay_transfers_reconcile(day=clock.today(), clock=clock)
    assert (result.lines, result.matched, result.mismatches, result.unattributed) == (2, 2, 0, 0)
    assert ReconciliationMismatch.objects.count() == 0 and ledger_check().problems == []
    assert all(p.status == PayoutStatus.PAID and p.rail == "accounts" for p in paid.values())


def test_one_matched_one_missing_at_alipay_one_unknown_to_us(paid, shop, other_shop, clock, alipay):  # noqa: F811
    ours, theirs = paid[shop.pk], paid[other_shop.pk]
    day = f"{local_date(clock.now()).isoformat()} 11:00:00"
    # Alipay lists no transfer for the other shop's payout; it lists ¥88.00 to our shop's
    # account under a number that is no payout of ours; and ¥5.00 to an account nobody holds.
    alipay.transfers.pop(next(k for k, t in alipay.transfers.items() if t["payee"] == THEIRS))
    ghost = _transfer(alipay, out_trade_no("payout:999999"), "88.00", OURS)
    _transfer(alipay, out_trade_no("elsewhere:1"), "5.00", STRANGER)["trans_date"] = day
    ghost["trans_date"] = day

    result = alipay_transfers_reconcile(day=clock.today(), clock=clock)
    assert (result.lines, result.matched, result.mismatches, result.unattributed) == (3, 1, 2, 1)
    assert _rows() == sorted([
        (shop.pk, "alipay", MismatchKind.MISSING_HERE, ghost["order_id"], -8_800, 0, "payout"),
        (other_shop.pk, "alipay", MismatchKind.MISSING_AT_PROVIDER, f"payout:{theirs.pk}", 0, -PAYOUT, "payout"),
    ])  # fmt: skip
    assert ours.status == PayoutStatus.PAID
    assert "2 open reconciliation mismatch(es)" in " ".join(ledger_check().problems)
    first_seen = ReconciliationMismatch.objects.get(kind=MismatchKind.MISSING_AT_PROVIDER).first_seen_at

    clock.advance(timedelta(minutes=5))  # the same day again: the same two rows, dated from first sight
    again = alipay_transfers_reconcile(day=clock.today(), clock=clock)
    assert (again.matched, again.mismatches) == (1, 2) and ReconciliationMismatch.objects.count() == 2
    assert ReconciliationMismatch.objects.get(kind=MismatchKind.MISSING_AT_PROVIDER).first_seen_at == first_seen


def test_partner_transfers_and_other_days_are_not_a_shops_payout(paid, clock, alipay):  # noqa: F811
    PartnerPayoutAccount.objects.create(partner_id=_partner(), kind=PayoutAccountKind.ALIPAY_RECEIVER,
                                        account_ref="2088000000000555", holder_name="诊所",
                                        status=PayoutAccountStatus.VERIFIED)  # fmt: skip
    _transfer(alipay, out_trade_no("partner.payment:3"), "77.00", "2088000000000555")["trans_date"] = (
        f"{local_date(clock.now()).isoformat()} 12:00:00"
    )
    result = alipay_transfers_reconcile(day=clock.today(), clock=clock)
    assert (result.lines, result.matched, result.mismatches, result.unattributed) == (2, 2, 0, 0)
    yesterday = alipay_transfers_reconcile(day=clock.today() - timedelta(days=1), clock=clock)
    assert (yesterday.lines, yesterday.mismatches) == (0, 0)
    assert ReconciliationMismatch.objects.count() == 0


def test_the_daily_task_does_nothing_without_a_platform_alipay_app(settings, db):
    settings.PAWPACT_PLATFORM_ALIPAY = {}
    assert alipay_transfers_reconcile_task() is None


def _partner() -> int:
    return Partner.objects.create(kind="clinic", name="Clinic", phone="0571-1", address="杭州", latitude=30.2,
                                  longitude=120.1).pk
