"""The customer chooses Alipay 周期扣款 or WeChat 委托代扣 on their own signing page.

Over real HTTP: the shop is served by `app_server` (inside the test's transaction), the
fake gateways serve their signing pages, and agreeing there makes the fake POST its signed
notification to the shop's /webhooks/<provider>/; the page then shows the agreement attached
and starting the plan debits period 1 through that rail.
"""
import json
import urllib.request
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id
from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import Contract, DebitAttempt, DebitPeriod, PaymentMethod
from pawpact.billing.selectors import agreement_rails_offered, ledger_check
from pawpact.billing.services.queued_activation import queued_activation_run
from pawpact.payments.gateways import adapters_forget
from pawpact.sandbox.gateways.base import local_request, local_status, notification_post, notification_post_json
from pawpact.storefront import signing_agreement
from tests.browser import app_server
from tests.payments.gateways import alipay_credentials, fake_alipay, fake_wechat, wechat_credentials  # noqa: F401
from tests.workspace.conftest import client_for
from tests.workspace.test_signing import _code, _link, _wizard

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing: WeChat debits 07:00–22:00
NEXT_MORNING = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _signed(shop, owner_client, adopter):
    """A contract the customer has signed with the SMS code; their phone's client."""
    contract = _wizard(owner_client, shop, *adopter)
    link = _link(shop, contract)
    phone = client_for(shop)
    assert phone.post(f"/sign/{link.token}/", {"action": "send"}).status_code == 302
    response = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": _code(shop, link), "consent": "yes"})
    assert response.status_code == 302
    return contract, link, phone


@pytest.fixture
def served(monkeypatch, shop):
    """The shop over HTTP; providers notify it at its own host on that port."""
    with app_server(monkeypatch) as server:
        monkeypatch.setattr("pawpact.payments.gateways.notify_url",
                            lambda shop, provider: server.url(f"{shop.slug}.localhost", f"/webhooks/{provider}/"))
        adapters_forget()
        yield server


def _agree(url: str) -> None:
    """The customer's phone opens the provider's signing page and agrees."""
    assert "同意并签约" in urllib.request.urlopen(url, timeout=10).read().decode()
    assert local_status(local_request(url, data=b"agree=1"), timeout=20) in (200, 302)


def _credentials(rail, shop, fake_alipay, fake_wechat):
    with schema_context(shop.schema_name):
        if rail == "alipay":
            alipay_credentials(shop, fake_alipay)
        else:
            wechat_credentials(shop, fake_wechat)


@pytest.mark.parametrize("rail", ["alipay", "wechat"])
def test_the_customer_signs_the_agreement_on_their_phone_and_period_1_is_debited_on_it(
    rail, shop, owner_client, adopter, fake_alipay, fake_wechat, served, time_machine
):
    time_machine.move_to(MORNING)
    _credentials(rail, shop, fake_alipay, fake_wechat)
    contract, link, phone = _signed(shop, owner_client, adopter)
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    label = "Alipay auto-debit" if rail == "alipay" else "WeChat Pay auto-debit"
    other = "WeChat Pay auto-debit" if rail == "alipay" else "Alipay auto-debit"
    assert label in page and other not in page  # only the rail with verified credentials
    when = "the plan starts on 2026-12-02." if rail == "wechat" else "is debited at once; the plan starts today."
    assert f'data-rail="{rail}">' in page and when in page and "taken now" not in page

    response = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": rail}, HTTP_USER_AGENT=PHONE)
    assert response.status_code == 302 and response["Location"].startswith(
        fake_alipay.gateway_url if rail == "alipay" else fake_wechat.url
    )
    waiting = phone.get(f"/sign/{link.token}/agreement/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting for your signature" in waiting and 'hx-trigger="every 2s"' in waiting
    _agree(response["Location"])

    attached = phone.get(f"/sign/{link.token}/agreement/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{label} is signed" in attached and "hx-trigger" not in attached  # polling stops
    assert ("notice given the day before" in attached) == (rail == "wechat")
    assert ">Done</button>" in attached if rail == "wechat" else ">Start the plan</button>" in attached
    assert "taken now" not in attached and ("the plan starts on 2026-12-02" in attached) == (rail == "wechat")
    # The poll that brings the signed state takes the "last step" banner off the page, and a
    # reload no longer shows it.
    assert 'Signed. Last step' in page
    assert '<div id="sign-last-step" hx-swap-oob="true" hidden></div>' in attached
    reloaded = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Last step" not in reloaded and f"{label} is signed" in reloaded
    reloaded_zh = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "最后一步" not in reloaded_zh
    response = phone.post(f"/sign/{link.token}/", {"action": "activate"})
    assert response.status_code == 302 and response["Location"] == f"/sign/done/{contract.uuid}/"
    if rail == "wechat":  # the pre-debit notice goes out first; the plan starts by itself a day later
        done = phone.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        amount = f"¥{contract.monthly_amount_minor // 100:,}.{contract.monthly_amount_minor % 100:02d}"
        assert f"the first month {amount} will be debited on 2026-12-02; the plan starts on 2026-12-02." in done
        with schema_context(shop.schema_name):
            days = Contract.objects.get(pk=contract.pk).plan_version.cooling_off_days
        until = (date(2026, 12, 2) + timedelta(days=days)).isoformat()
        assert "first month is paid" not in done and f"<dt>Cooling-off until</dt><dd>{until}</dd>" in done
        assert list(fake_wechat.notices.values()) == [contract.monthly_amount_minor] and fake_wechat.orders == {}
        staff = owner_client.get(f"/manage/contracts/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Waiting for WeChat Pay's pre-debit notice period" in staff and "2026-12-02" in staff
        with schema_context(shop.schema_name):
            assert Contract.objects.get(pk=contract.pk).status == ContractStatus.SIGNED
            assert not DebitAttempt.objects.filter(period__contract=contract, status="succeeded").exists()
        time_machine.move_to(NEXT_MORNING)
        with schema_context(shop.schema_name):
            assert queued_activation_run().started == 1

    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        period = DebitPeriod.objects.get(contract=contract, number=1)
        assert contract.status == ContractStatus.ACTIVE and contract.payment_method.rail == rail
        assert period.status == PeriodStatus.PAID and period.amount_minor == contract.monthly_amount_minor
        attempt = DebitAttempt.objects.get(period=period, status="succeeded")
        assert attempt.amount_minor == contract.monthly_amount_minor and attempt.rail == rail
        assert PaymentMethod.objects.filter(rail=rail).count() == 1
        assert ledger_check().is_ok
    if rail == "alipay":
        (trade,) = fake_alipay.trades.values()
        assert trade["trade_status"] == "TRADE_SUCCESS"
        assert Decimal(trade["total_amount"]) * 100 == contract.monthly_amount_minor
    else:
        (order,) = fake_wechat.orders.values()
        assert order["trade_state"] == "SUCCESS" and order["amount"]["total"] == contract.monthly_amount_minor


def test_a_desktop_shows_the_qr_code_and_says_when_the_wait_is_over(
    shop, owner_client, adopter, fake_alipay, fake_wechat, served, monkeypatch
):
    _credentials("wechat", shop, fake_alipay, fake_wechat)
    contract, link, phone = _signed(shop, owner_client, adopter)
    response = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": "wechat"}, HTTP_USER_AGENT=DESKTOP)
    assert response.status_code == 302 and response["Location"] == f"/sign/{link.token}/"
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'src="data:image/svg+xml' in page and "hx-trigger" in page and fake_wechat.url in page

    monkeypatch.setattr(signing_agreement, "WAIT_SECONDS", -1)
    late = phone.get(f"/sign/{link.token}/agreement/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "We have not heard back from WeChat Pay auto-debit" in late and "hx-trigger" not in late
    # Starting the plan before the agreement is signed is refused; nothing moves.
    refused = phone.post(f"/sign/{link.token}/", {"action": "activate"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and "not signed yet" in refused.content.decode()
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.SIGNED and contract.payment_method is None
        assert not DebitAttempt.objects.filter(period__contract=contract).exists()


def test_a_forged_or_replayed_notification_attaches_nothing(
    shop, owner_client, adopter, fake_alipay, fake_wechat, served
):
    _credentials("alipay", shop, fake_alipay, fake_wechat)
    contract, link, phone = _signed(shop, owner_client, adopter)
    url = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": "alipay"}, HTTP_USER_AGENT=PHONE)["Location"]
    notify = served.url(f"{shop.slug}.localhost", "/webhooks/alipay/")
    genuine = fake_alipay.customer_signs(url)  # signed, but not delivered yet
    forged = {**genuine, "external_agreement_no": contract.uuid.hex, "agreement_no": "20269999999999999999"}
    assert notification_post(notify, forged) >= 400
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).payment_method is None
        assert not PaymentMethod.objects.exists()

    assert notification_post(notify, genuine) == 200
    assert notification_post(notify, genuine) == 200  # a replay is acknowledged and applies nothing
    assert phone.post(f"/sign/{link.token}/", {"action": "activate"}).status_code == 302
    assert notification_post(notify, genuine) == 200
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert PaymentMethod.objects.count() == 1 and contract.status == ContractStatus.ACTIVE
        assert DebitAttempt.objects.filter(period__contract=contract).count() == 1
        assert ledger_check().is_ok


def test_another_shops_webhook_cannot_attach_this_shops_contract(
    shop, other_shop, owner_client, adopter, fake_alipay, fake_wechat, served
):
    _credentials("wechat", shop, fake_alipay, fake_wechat)
    with schema_context(other_shop.schema_name):
        wechat_credentials(other_shop, fake_wechat, mchid="1900000209")
    contract, link, phone = _signed(shop, owner_client, adopter)
    url = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": "wechat"}, HTTP_USER_AGENT=PHONE)["Location"]
    _url, headers, body = fake_wechat.customer_signs(url.rsplit("/", 1)[1])
    assert notification_post_json(served.url(f"{other_shop.slug}.localhost", "/webhooks/wechat/"), body, headers) >= 400
    with schema_context(other_shop.schema_name):
        assert not PaymentMethod.objects.exists()
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).payment_method is None
    # Nor can another shop's token begin a signing for it.
    from rest_framework.test import APIClient

    from tests.conftest import host_of

    client = APIClient(HTTP_HOST=host_of(other_shop))
    answer = client.post(f"/api/v1/contracts/{contract.uuid}/agreement-signing", {"rail": "wechat"},
                         format="json", HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert answer.status_code in (401, 403, 404)


def test_a_rail_without_verified_credentials_is_not_offered_nor_started(
    shop, owner_client, adopter, fake_alipay, fake_wechat
):
    with schema_context(shop.schema_name):
        alipay_credentials(shop, fake_alipay, verified=False)
        wechat_credentials(shop, fake_wechat)  # test mode only
    contract, link, phone = _signed(shop, owner_client, adopter)
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "WeChat Pay auto-debit" in page and "Alipay auto-debit" not in page
    refused = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": "alipay"}, HTTP_USER_AGENT=PHONE)
    assert 400 <= refused.status_code < 500 and fake_alipay.agreements == {}
    with schema_context(shop.schema_name):
        assert agreement_rails_offered(livemode=False) == ["wechat"]
        assert agreement_rails_offered(livemode=True) == []  # a live shop: no verified live credentials


def test_the_api_begins_the_signing_idempotently_and_the_notification_attaches_it(
    shop, shop_staff, api_client, owner_client, adopter, fake_alipay, fake_wechat, served
):
    _credentials("wechat", shop, fake_alipay, fake_wechat)
    contract, _link_, _phone = _signed(shop, owner_client, adopter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    path = f"/api/v1/contracts/{contract.uuid}/agreement-signing"
    bad = api_client.post(path, {"rail": "bank"}, format="json", HTTP_IDEMPOTENCY_KEY="bad-1")
    assert bad.status_code == 400 and set(bad.json()) >= {"code", "message", "fields"} and "rail" in bad.json()["fields"]
    assert fake_wechat.presigns == {}

    first = api_client.post(path, {"rail": "wechat"}, format="json", HTTP_IDEMPOTENCY_KEY="sign-1")
    again = api_client.post(path, {"rail": "wechat"}, format="json", HTTP_IDEMPOTENCY_KEY="sign-1")
    assert first.status_code == 201 and again.json() == first.json() and len(fake_wechat.presigns) == 1
    answer = first.json()
    assert answer["rail"] == "wechat" and answer["agreement_code"] == contract.uuid.hex
    assert answer["mini_program"]["extra_data"] == {"pre_entrustweb_id": answer["pre_entrustweb_id"]}
    detail = api_client.get(f"/api/v1/contracts/{contract.uuid}").json()
    assert detail["payment_method_id"] is None

    _agree(answer["url"])
    detail = api_client.get(f"/api/v1/contracts/{contract.uuid}").json()
    with schema_context(shop.schema_name):
        method = PaymentMethod.objects.get(rail="wechat")
    assert detail["payment_method_id"] == opaque_id(PAYMENT_METHOD, method.pk, schema_name=shop.schema_name) and json.dumps(detail)
