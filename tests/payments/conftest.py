import pytest

from pawpact.sandbox.gateways.stripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_rails"


@pytest.fixture
def fake_stripe(settings):
    """A local fake Stripe API, with the settings pointing the Stripe rail at it."""
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_rails"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield fake
    fake.stop()


@pytest.fixture
def fast_stripe_client(monkeypatch):
    """No client-side retries and a short timeout, so timeout tests take a fraction of a second."""
    from pawpact.payments import stripe as stripe_rail

    monkeypatch.setattr(stripe_rail, "MAX_NETWORK_RETRIES", 0)
    monkeypatch.setattr(stripe_rail, "TIMEOUT_SECONDS", 0.2)


@pytest.fixture(autouse=True)
def _celery_app():
    # Tasks bind to the project's app (eager in tests) only once it has been created.
    from pawpact.config.celery import app

    return app


from tests.payments.gateways import fake_alipay, fake_wechat  # noqa: E402,F401  (fixtures)
