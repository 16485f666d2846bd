"""Fixtures of the SaaS subscription tests: Beijing instants, a subscribed shop, a fake Stripe."""
import json
from datetime import datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.platform.models import PlatformJournal, PlatformLedgerLine, SaasInvoice, ShopSubscription
from pawpact.sandbox.models import SandboxCharge
from tests.conftest import SHOP_PASSWORD, host_of
from pawpact.sandbox.gateways.stripe import PAYMENT_METHODS, FakeStripe, _error

BEIJING = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """An instant in Beijing (the platform's time zone: its dates are the billing dates)."""
    return datetime(year, month, day, hour, 0, tzinfo=BEIJING)


def travel(year: int, month: int, day: int, hour: int = 10):
    return time_machine.travel(at(year, month, day, hour), tick=False)


def snapshot(shop_id: int) -> tuple:
    """Everything the subscription code writes, to assert that a refusal wrote nothing."""
    return (
        list(ShopSubscription.objects.filter(shop_id=shop_id).values_list(
            "status", "plan_id", "payment_rail", "payment_token", "rail_customer_ref", "grace_until",
            "current_period_start", "current_period_end",
        )),
        list(SaasInvoice.objects.filter(shop_id=shop_id).values_list("number", "status", "attempts", "rail_reference")),
        PlatformJournal.objects.count(),
        PlatformLedgerLine.objects.count(),
        SandboxCharge.objects.count(),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _celery_app():
    # Tasks bind to the project's app (eager in tests) only once it has been created.
    from pawpact.config.celery import app

    return app


@pytest.fixture
def subscribed(shop):
    """alpha on Starter, signed up at 10:00 on 1 March 2026 (Beijing): trial until 15 March."""
    from pawpact.platform.saas.services import subscription_start

    with travel(2026, 3, 1):
        return subscription_start(shop=shop, plan_code="starter")


def staff_browser(shop, user) -> Client:
    browser = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):  # sessions live in the shop's schema
        browser.force_login(user)
    return browser


def owner_browser(shop) -> Client:
    """The owner, logged in to the back office through its login form."""
    browser = Client(HTTP_HOST=host_of(shop))
    response = browser.post("/accounts/login/", {"login": shop.owner.email, "password": SHOP_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return browser


class FakeStripeBilling(FakeStripe):
    """The rails' fake Stripe plus POST /v1/payment_methods/<id>/attach (saving the shop's card)."""

    def _handle(self, request, method):
        path = request.path.split("?")[0]
        if not (method == "POST" and path.startswith("/v1/payment_methods/") and path.endswith("/attach")):
            return super()._handle(request, method)
        self.requests.append((method, path))
        length = int(request.headers.get("Content-Length") or 0)
        params = dict(parse_qsl(request.rfile.read(length).decode()))
        pm_id = path.split("/")[3]
        if pm_id not in PAYMENT_METHODS:
            missing = _error("invalid_request_error", "No such PaymentMethod", code="resource_missing")
            return self._send(request, 404, missing)
        if params.get("customer") not in self.customers:
            missing = _error("invalid_request_error", "No such customer", code="resource_missing")
            return self._send(request, 400, missing)
        with self._lock:
            self.attached[pm_id] = params["customer"]
        status, body = self._payment_method_get(pm_id)
        return self._send(request, status, json.loads(json.dumps(body)))


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripeBilling().start()
    settings.STRIPE_SECRET_KEY = "sk_test_saas"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    fake.stop()
