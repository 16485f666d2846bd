"""The Stripe Connect transfer rail against a tiny local fake of POST /v1/transfers
(real HTTP on 127.0.0.1; never the network)."""
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
import stripe

from pawpact.platform.enums import AdvanceStatus, PayoutAccountKind, PayoutAccountStatus, PayoutStatus
from pawpact.platform.funding.payout_rails import StripeConnectPayoutRail, payout_rail_for
from pawpact.platform.funding.settlement import settlement_run
from pawpact.platform.models import Advance, Payout, PayoutAccount
from tests.platform.funding.conftest import assert_ledger_ok, drain, emit, signed


class FakeTransfers:
    """POST /v1/transfers with Stripe's idempotency: the same key answers the first response."""

    def __init__(self) -> None:
        self.created: list[dict] = []
        self.requests: list[tuple[str, dict]] = []  # (idempotency key, form)
        self.answers: dict[str, tuple[int, dict]] = {}
        self.fail_with: tuple[int, dict] | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = dict(parse_qsl(body))
                key = self.headers.get("Idempotency-Key", "")
                fake.requests.append((key, form))
                if self.path != "/v1/transfers" or not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
                    return self._send(404, {"error": {"type": "invalid_request_error", "message": "no"}})
                if key in fake.answers:
                    return self._send(*fake.answers[key])
                if fake.fail_with is not None:
                    return self._send(*fake.fail_with)
                transfer = {"id": f"tr_{uuid.uuid4().hex[:16]}", "object": "transfer", "amount": int(form["amount"]),
                            "currency": form["currency"], "destination": form["destination"]}  # fmt: skip
                fake.created.append(transfer)
                fake.answers[key] = (200, transfer)
                return self._send(200, transfer)

            def _send(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeTransfers()
    yield server
    server.stop()


def _client(fake) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0)


def _due(shop, clock):
    emit(shop, signed(uuid.uuid4()))
    drain(shop, clock)
    clock.advance(timedelta(days=7))


def test_a_payout_is_one_connect_transfer_with_the_payout_key(shop, clock, fake):
    _due(shop, clock)
    rail = StripeConnectPayoutRail(client=_client(fake), destination_for=lambda order: "acct_alpha")

    report = settlement_run(clock=clock, rail=rail)
    settlement_run(clock=clock, rail=rail)  # again: nothing is sent twice

    payout = Payout.objects.get()
    assert (report.payouts_paid, payout.status, payout.rail) == (1, PayoutStatus.PAID, "stripe")
    assert len(fake.created) == 1 and payout.rail_reference == fake.created[0]["id"]
    key, form = fake.requests[0]
    assert key == f"payout:{payout.pk}"
    assert (form["amount"], form["currency"], form["destination"], form["transfer_group"]) == (
        "430920", "cny", "acct_alpha", f"payout-{payout.pk}",
    )  # fmt: skip
    assert form["metadata[payout_id]"] == str(payout.pk)
    assert Advance.objects.get().status == AdvanceStatus.PAID
    assert_ledger_ok()


def test_a_transfer_sent_again_after_a_crash_is_not_paid_twice(shop, clock, fake):
    _due(shop, clock)
    rail = StripeConnectPayoutRail(client=_client(fake), destination_for=lambda order: "acct_alpha")
    from pawpact.platform.funding import settlement

    # The worker transferred, then died before recording: the payout is still CREATED.
    settlement.payouts_batch(today=clock.today(), now=clock.now(), rail_name="stripe")
    order = settlement._orders(None)[0]
    first = rail.transfer(order)
    settlement_run(clock=clock, rail=rail)

    payout = Payout.objects.get()
    assert (payout.status, payout.rail_reference) == (PayoutStatus.PAID, first.reference)
    assert len(fake.created) == 1 and len(fake.requests) == 2
    assert_ledger_ok()


def test_a_refused_transfer_fails_the_payout_and_an_unanswered_one_leaves_it_created(shop, clock, fake):
    _due(shop, clock)
    rail = StripeConnectPayoutRail(client=_client(fake), destination_for=lambda order: "acct_alpha")
    fake.fail_with = (500, {"error": {"type": "api_error", "message": "Stripe is down"}})
    assert settlement_run(clock=clock, rail=rail).payouts_unknown == 1
    assert Payout.objects.get().status == PayoutStatus.CREATED

    fake.fail_with = (400, {"error": {"type": "invalid_request_error", "message": "No such destination"}})
    report = settlement_run(clock=clock, rail=rail)
    assert report.payouts_failed == 1 and "No such destination" in report.failures[0]
    assert Payout.objects.get().status == PayoutStatus.FAILED
    assert fake.created == []

    fake.fail_with = None
    settlement_run(clock=clock, rail=rail)
    assert Payout.objects.get().status == PayoutStatus.PAID
    assert_ledger_ok()


def test_a_shop_without_a_connected_account_is_not_paid(shop, clock, fake):
    _due(shop, clock)
    rail = StripeConnectPayoutRail(client=_client(fake), destination_for=lambda order: None)
    report = settlement_run(clock=clock, rail=rail)
    assert report.failures == [f"payout {Payout.objects.get().pk}: shop alpha has no verified Stripe Connect payout account"]
    assert fake.requests == []
    assert_ledger_ok()


def test_the_rail_is_chosen_by_settings_and_pays_the_verified_account(settings, fake, shop):
    assert payout_rail_for().name == "sandbox"
    settings.PAWPACT_PAYOUT_RAIL = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    PayoutAccount.objects.create(
        shop=shop, kind=PayoutAccountKind.STRIPE_CONNECT, account_ref="acct_from_account", holder_name="Alpha",
        status=PayoutAccountStatus.VERIFIED,
    )  # fmt: skip
    rail = payout_rail_for()
    assert rail.name == "stripe"
    from datetime import date

    from pawpact.core.money import Money
    from pawpact.platform.funding.payout_rails import PayoutOrder

    result = rail.transfer(PayoutOrder(payout_id=7, shop_id=shop.pk, shop_slug="alpha", settlement_date=date(2026, 3, 23),
                                       amount=Money(100)))  # fmt: skip
    assert result.succeeded
    assert fake.requests[0][0] == "payout:7" and fake.requests[0][1]["destination"] == "acct_from_account"
