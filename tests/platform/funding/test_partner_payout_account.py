"""A partner's payout account: entered in the portal or the console, verified by the provider
(the local fake Alipay gateway, real RSA2 both ways); in live mode a partner payment without a
verified account is held with that reason, and paid exactly once when the account is verified."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from pawpact.accounts.models import User
from pawpact.core.errors import ValidationFailed
from pawpact.partners.enums import PaymentStatus
from pawpact.partners.models import PartnerMember, PartnerPayment
from pawpact.platform.enums import PayoutAccountKind, PayoutAccountStatus
from pawpact.platform.funding.ledger import account_balances
from pawpact.platform.funding.payout_rails import PartnerAccountRail
from pawpact.platform.models import PartnerPayoutAccount, PlatformJournal
from pawpact.platform.partner_clearing import partner_clearing_close
from pawpact.platform.partner_payout import partner_payout_account_set, partner_payout_account_verify
from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import listed
from tests.platform.funding.conftest import NOW, assert_ledger_ok
from tests.platform.funding.test_partner_settlement import APRIL_FIRST, redeem

pytestmark = pytest.mark.django_db

ALIPAY_USER = "2088000000000007"
HOLDER = "上海河畔动物医院"


@pytest.fixture
def alipay(settings):
    gateway = FakeAlipay().start()
    key = rsa_key_new()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS,
                                 "alipay": {"live": gateway.gateway_url, "test": gateway.gateway_url}}  # fmt: skip
    settings.PAWPACT_PLATFORM_ALIPAY = {"app_id": gateway.app_register(public_pem(key)),
                                        "app_private_key": private_pem(key), "alipay_public_key": gateway.public_key_pem}  # fmt: skip
    gateway.payees[ALIPAY_USER] = HOLDER
    yield gateway
    gateway.stop()


@pytest.fixture
def live(settings):
    settings.PAWPACT_PLATFORM_MODE = "live"
    settings.PAWPACT_PAYOUT_RAIL = "accounts"


def _client(user):
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(user)
    return client


def _member(partner, email):
    user = User.objects.create_user(email, SHOP_PASSWORD)
    PartnerMember.objects.create(partner=partner, user=user)
    return _client(user)


def _console():
    return _client(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True))


def _held_march(shop, riverside):
    redeem(shop, riverside, at=NOW)
    redeem(shop, riverside, at=NOW + timedelta(days=2))
    return partner_clearing_close(clock=APRIL_FIRST, rail=PartnerAccountRail())


def test_a_live_payment_is_held_without_a_verified_account_and_paid_once_when_verified(shop, alipay, live):
    riverside = listed(price_minor=8_000)
    report = _held_march(shop, riverside)
    payment = PartnerPayment.objects.get()
    assert (report.payments_held, report.payments_paid, payment.status, payment.amount_minor) == (
        1, 0, PaymentStatus.HELD, 16_000)  # fmt: skip
    assert alipay.transfers == {} and not PlatformJournal.objects.filter(kind="partner.payment").exists()
    console = _console()
    page = console.get(f"/console/partners/{riverside.pk}/").content.decode()
    assert "1 payment (¥160.00) is held" in page
    statement = console.get(f"/console/partners/{riverside.pk}/statement/").content.decode()
    assert "Held: no verified payout account yet" in statement

    # A holder name Alipay does not know: rejected with Alipay's reason, still held, nothing sent.
    console.post(f"/console/partners/{riverside.pk}/payout-account/",
                 {"kind": "alipay_receiver", "account_ref": ALIPAY_USER, "holder_name": "Someone Else"})  # fmt: skip
    account = PartnerPayoutAccount.objects.get(partner=riverside)
    assert account.status == PayoutAccountStatus.REJECTED and "NAME_NOT_MATCH" in account.note_detail
    assert PartnerPayment.objects.get().status == PaymentStatus.HELD and alipay.transfers == {}

    console.post(f"/console/partners/{riverside.pk}/payout-account/",
                 {"kind": "alipay_receiver", "account_ref": ALIPAY_USER, "holder_name": HOLDER})  # fmt: skip
    account.refresh_from_db()
    payment.refresh_from_db()
    [transfer] = alipay.transfers.values()
    assert (account.status, payment.status, payment.rail) == (PayoutAccountStatus.VERIFIED, PaymentStatus.PAID,
                                                              "partner_accounts")  # fmt: skip
    assert (transfer["amount"], transfer["payee"], payment.rail_reference) == ("160.00", ALIPAY_USER, transfer["order_id"])
    lines = PlatformJournal.objects.get(idempotency_key=f"partner.payment:{payment.pk}").lines
    assert sorted(lines.values_list("account", "amount_minor")) == [("cash", -16_000), ("partner_payable", 16_000)]

    # Verified again, closed again: the same one transfer, one journal.
    partner_payout_account_verify(partner=riverside)
    assert partner_clearing_close(clock=APRIL_FIRST, rail=PartnerAccountRail()).payments_paid == 0
    assert len(alipay.transfers) == 1 and alipay.calls["alipay.fund.trans.uni.transfer"] == 1
    assert PlatformJournal.objects.filter(kind="partner.payment").count() == 1
    assert account_balances()["partner_payable"] == 0
    assert "is held" not in console.get(f"/console/partners/{riverside.pk}/").content.decode()
    assert_ledger_ok()


def test_a_changed_account_is_pending_again_and_the_next_payment_waits_for_it(shop, alipay, live):
    riverside = listed(price_minor=8_000)
    partner_payout_account_set(partner=riverside, kind="alipay_receiver", account_ref=ALIPAY_USER, holder_name=HOLDER)
    assert partner_payout_account_verify(partner=riverside).is_verified
    same = partner_payout_account_set(partner=riverside, kind="alipay_receiver", account_ref=ALIPAY_USER,
                                      holder_name=HOLDER)  # fmt: skip
    assert same.status == PayoutAccountStatus.VERIFIED  # the same account again changes nothing
    changed = partner_payout_account_set(partner=riverside, kind="alipay_receiver", account_ref="2088000000000999",
                                         holder_name=HOLDER)  # fmt: skip
    assert (changed.status, changed.verified_at) == (PayoutAccountStatus.PENDING, None)
    assert _held_march(shop, riverside).payments_held == 1
    assert alipay.transfers == {} and PartnerPayment.objects.get().status == PaymentStatus.HELD


@pytest.mark.parametrize(("kind", "ref", "holder", "field"), [
    ("alipay_receiver", "2088123", HOLDER, "account_ref"),
    ("stripe_connect", "2088000000000007", HOLDER, "account_ref"),
    ("alipay_receiver", ALIPAY_USER, "", "holder_name"),
    ("wechat_receiver", "1900000109", HOLDER, "kind"),
    ("cash", ALIPAY_USER, HOLDER, "kind"),
])  # fmt: skip
def test_bad_accounts_are_refused_field_by_field_and_nothing_is_written(kind, ref, holder, field):
    riverside = listed()
    with pytest.raises(ValidationFailed) as refused:
        partner_payout_account_set(partner=riverside, kind=kind, account_ref=ref, holder_name=holder)
    assert field in refused.value.fields
    assert not PartnerPayoutAccount.objects.exists()
    response = _member(riverside, "lin@riverside.test").post(
        "/partner/payout-account/", {"kind": kind, "account_ref": ref, "holder_name": holder})
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    assert not PartnerPayoutAccount.objects.exists()


def test_verifying_with_no_account_is_refused(db):
    with pytest.raises(ValidationFailed):
        partner_payout_account_verify(partner=listed())


def test_a_partner_enters_its_own_account_and_never_sees_another_partners(shop, alipay, live):
    riverside, jade = listed(name="Riverside Vet"), listed(name="Jade Clinic")
    partner_payout_account_set(partner=jade, kind="alipay_receiver", account_ref="2088000000000555",
                               holder_name="Jade Clinic Ltd")  # fmt: skip
    redeem(shop, jade, at=NOW)
    partner_clearing_close(clock=APRIL_FIRST, rail=PartnerAccountRail())
    lin = _member(riverside, "lin@riverside.test")
    jane = _member(jade, "jane@jade.test")
    assert "1 payment (¥80.00) is held" in jane.get("/partner/").content.decode()
    assert "is held" not in lin.get("/partner/").content.decode()
    page = lin.get("/partner/payout-account/").content.decode()
    assert "2088000000000555" not in page and "Jade" not in page and "is held" not in page
    response = lin.post("/partner/payout-account/", {"kind": "alipay_receiver", "account_ref": ALIPAY_USER,
                                                     "holder_name": HOLDER})  # fmt: skip
    assert response.status_code == 302
    accounts = dict(PartnerPayoutAccount.objects.values_list("partner_id", "status"))
    assert accounts == {riverside.pk: PayoutAccountStatus.VERIFIED, jade.pk: PayoutAccountStatus.PENDING}
    assert PartnerPayment.objects.get(partner=jade).status == PaymentStatus.HELD  # riverside's verification pays no one else
    statement = lin.get("/partner/statement/?export=csv").content.decode("utf-8-sig")
    assert "2026-03" not in statement  # jade's month is not riverside's
    stranger = _client(User.objects.create_user("nobody@pawpact.test", SHOP_PASSWORD))
    assert stranger.get("/partner/payout-account/").status_code == 403
    assert stranger.post("/partner/payout-account/verify/").status_code == 403
    assert lin.get(f"/console/partners/{jade.pk}/payout-account/").status_code in (302, 403)


class FakeTransfers:
    def __init__(self):
        self.created = []

    def create(self, params, options):
        self.created.append((params, options))
        return {"id": f"tr_{len(self.created)}"}


def test_a_verified_stripe_account_is_paid_by_one_transfer_keyed_by_the_payment(shop, live):
    riverside = listed(price_minor=8_000)
    PartnerPayoutAccount.objects.create(partner=riverside, kind=PayoutAccountKind.STRIPE_CONNECT,
                                        account_ref="acct_1Riverside01", holder_name="Riverside Vet Ltd",
                                        status=PayoutAccountStatus.VERIFIED)  # fmt: skip
    transfers = FakeTransfers()
    client = type("Client", (), {"v1": type("V1", (), {"transfers": transfers})()})()
    redeem(shop, riverside, at=NOW)
    report = partner_clearing_close(clock=APRIL_FIRST, rail=PartnerAccountRail(client=client))
    payment = PartnerPayment.objects.get()
    [(params, options)] = transfers.created
    assert (report.payments_paid, payment.status, payment.rail_reference) == (1, PaymentStatus.PAID, "tr_1")
    assert (params["amount"], params["currency"], params["destination"]) == (8_000, "cny", "acct_1Riverside01")
    assert options == {"idempotency_key": f"partner.payment:{payment.pk}"}
    assert_ledger_ok()
