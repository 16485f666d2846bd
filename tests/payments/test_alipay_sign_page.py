"""The fake Alipay's signing page, as the adopter's phone opens it from the signing link:
agreeing signs the agreement and the fake notifies the shop's notify_url over HTTP."""
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.payments.gateways import adapters_forget
from tests.billing.debits.factories import contract_create
from tests.payments.gateways import alipay_credentials
from tests.payments.test_alipay import _deliver


class Receiver:
    """A merchant's notify_url on this machine: what arrives, and under which Host."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                receiver.received.append((self.headers.get("Host", ""), dict(parse_qsl(body))))
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"success")
                receiver.arrived.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_agreeing_on_the_page_signs_and_notifies_the_shop(shop, fake_alipay, receiver, monkeypatch):
    alipay_credentials(shop, fake_alipay)
    monkeypatch.setattr("pawpact.payments.gateways.notify_url",
                        lambda shop, provider: f"http://{shop.slug}.localhost:{receiver.port}/webhooks/{provider}/")
    adapters_forget()
    with schema_context(shop.schema_name):
        contract = contract_create(status=ContractStatus.SIGNED)
        url = agreement_sign_begin(contract=contract, rail="alipay").url
    page = urllib.request.urlopen(url, timeout=5).read().decode()
    assert "同意并签约" in page and fake_alipay.agreements == {}  # opening it signs nothing

    agree = urllib.request.Request(url, data=b"agree=1")
    urllib.request.build_opener(_Stay).open(agree, timeout=5).close()
    assert receiver.arrived.wait(5)
    (host, notification), = receiver.received
    assert host == f"{shop.slug}.localhost:{receiver.port}"  # reached on 127.0.0.1 under the shop's host
    assert notification["notify_type"] == "dut_user_sign" and notification["agreement_no"] in fake_alipay.agreements
    assert _deliver(shop, notification).status_code == 200  # the shop's webhook verifies it and applies it
    with schema_context(shop.schema_name):
        assert Contract.objects.get(pk=contract.pk).payment_method.token == notification["agreement_no"]


def test_a_forged_signing_link_is_refused_and_signs_nothing(shop, fake_alipay):
    alipay_credentials(shop, fake_alipay)
    with schema_context(shop.schema_name):
        url = agreement_sign_begin(contract=contract_create(status=ContractStatus.SIGNED), rail="alipay").url
    forged = url.replace("single_amount%22%3A%22", "single_amount%22%3A%221")  # the amount changed after signing
    assert forged != url
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(forged, data=b"agree=1"), timeout=5)
    assert refused.value.code == 400 and fake_alipay.agreements == {}


class JsonReceiver(Receiver):
    """A merchant's WeChat notify URL: JSON bodies with their signature headers."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, str]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()


def test_the_fake_wechat_signing_page_signs_once_and_notifies_the_shop(shop, fake_wechat, monkeypatch):
    from tests.payments.gateways import wechat_credentials
    from tests.payments.test_wechat import _deliver as wechat_deliver

    receiver = JsonReceiver()
    monkeypatch.setattr("pawpact.payments.gateways.notify_url",
                        lambda shop, provider: f"http://{shop.slug}.localhost:{receiver.port}/webhooks/{provider}/")
    try:
        with schema_context(shop.schema_name):
            wechat_credentials(shop, fake_wechat)
            contract = contract_create(status=ContractStatus.SIGNED)
            url = agreement_sign_begin(contract=contract, rail="wechat").url
        assert "委托代扣" in urllib.request.urlopen(url, timeout=5).read().decode() and fake_wechat.contracts == {}
        urllib.request.urlopen(urllib.request.Request(url, data=b"agree=1"), timeout=5).close()
        assert receiver.arrived.wait(5)
        (headers, body), = receiver.received
        assert headers["Host"] == f"{shop.slug}.localhost:{receiver.port}" and "Wechatpay-Signature" in headers
        assert '"PAPAY.SIGN"' in body and "ciphertext" in body and contract.uuid.hex not in body  # encrypted
        with pytest.raises(urllib.error.HTTPError) as again:  # a pre-sign is signed once
            urllib.request.urlopen(urllib.request.Request(url, data=b"agree=1"), timeout=5)
        assert again.value.code == 404 and len(fake_wechat.contracts) == 1
        signed = {name: value for name, value in headers.items() if name.lower().startswith("wechatpay-")}
        assert wechat_deliver(shop, ("", signed, body)).status_code == 204
        with schema_context(shop.schema_name):
            assert Contract.objects.get(pk=contract.pk).payment_method.token in fake_wechat.contracts
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
