"""The Stripe rail against a local fake Stripe (pawpact/sandbox/gateways/stripe.py): no network."""
import socket

import pytest
from django_tenants.utils import schema_context

from pawpact.core.money import Money
from pawpact.payments.base import ChargeResult
from pawpact.payments.enums import DeclineType
from pawpact.payments.stripe import StripeRail, decline_type_for

AMOUNT = Money(59_900, "CNY")
METADATA = {"contract_uuid": "8d6f0c2e-1111-4222-8333-944455556666", "period_number": "3", "attempt_number": "1"}


def _charge(token, key, *, customer_ref="cus_test", amount=AMOUNT):
    return StripeRail().charge(
        token=token, customer_ref=customer_ref, amount=amount, idempotency_key=key, metadata=METADATA
    )


def test_a_successful_off_session_charge(shop, fake_stripe):
    with schema_context(shop.schema_name):
        result = _charge("pm_card_visa", "debit:c:3:1")
    [intent] = fake_stripe.payment_intents.values()
    assert result == ChargeResult(succeeded=True, outcome="succeeded", reference=intent["id"])
    assert (intent["amount"], intent["currency"], intent["customer"], intent["payment_method"]) == (
        59_900, "cny", "cus_test", "pm_card_visa"
    )  # fmt: skip
    assert intent["off_session"] is True and intent["confirm"] is True
    assert intent["metadata"] == {**METADATA, "shop_schema": "shop_alpha", "idempotency_key": "debit:c:3:1"}
    assert fake_stripe.payment_intents_created == 1


def test_insufficient_funds_is_a_soft_decline(shop, fake_stripe):
    with schema_context(shop.schema_name):
        result = _charge("pm_card_chargeDeclinedInsufficientFunds", "debit:c:3:1")
    [intent] = fake_stripe.payment_intents.values()
    assert result == ChargeResult(
        succeeded=False, outcome="insufficient_funds", reference=intent["id"], decline_type=DeclineType.SOFT
    )


def test_an_expired_card_is_a_hard_decline(shop, fake_stripe):
    with schema_context(shop.schema_name):
        result = _charge("pm_card_chargeDeclinedExpiredCard", "debit:c:3:1")
    [intent] = fake_stripe.payment_intents.values()
    assert result == ChargeResult(
        succeeded=False, outcome="expired_card", reference=intent["id"], decline_type=DeclineType.HARD
    )


@pytest.mark.parametrize("token", ["pm_card_visa", "pm_card_chargeDeclinedInsufficientFunds"])
def test_a_retry_with_the_same_key_is_answered_from_stripe_not_charged_again(shop, fake_stripe, token):
    with schema_context(shop.schema_name):
        first = _charge(token, "debit:c:3:1")
        second = _charge(token, "debit:c:3:1")
    assert first == second
    assert fake_stripe.payment_intents_created == 1
    assert fake_stripe.requests.count(("POST", "/v1/payment_intents")) == 2


def test_a_new_attempt_key_is_a_new_charge(shop, fake_stripe):
    with schema_context(shop.schema_name):
        first = _charge("pm_card_chargeDeclinedInsufficientFunds", "debit:c:3:1")
        second = _charge("pm_card_visa", "debit:c:3:2")
    assert (first.succeeded, second.succeeded) == (False, True)
    assert fake_stripe.payment_intents_created == 2


def test_a_timeout_is_unknown_and_the_retry_with_the_same_key_finds_the_charge(shop, fake_stripe, fast_stripe_client):
    """Stripe charged, but the answer never arrived: asking again must not charge twice."""
    fake_stripe.latency_seconds = 1.0
    with schema_context(shop.schema_name):
        lost = _charge("pm_card_visa", "debit:c:3:1")
        fake_stripe.latency_seconds = 0
        found = _charge("pm_card_visa", "debit:c:3:1")
    assert lost == ChargeResult(succeeded=False, outcome="network_error", is_unknown=True)
    [intent] = fake_stripe.payment_intents.values()
    assert found == ChargeResult(succeeded=True, outcome="succeeded", reference=intent["id"])
    assert fake_stripe.payment_intents_created == 1


def test_an_unreachable_stripe_is_an_unknown_outcome(shop, settings, fast_stripe_client):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.STRIPE_SECRET_KEY = "sk_test_rails"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    with schema_context(shop.schema_name):
        result = _charge("pm_card_visa", "debit:c:3:1")
    assert result == ChargeResult(succeeded=False, outcome="network_error", is_unknown=True)


def test_a_payment_method_stripe_does_not_know_is_a_hard_decline(shop, fake_stripe):
    with schema_context(shop.schema_name):
        result = _charge("pm_gone", "debit:c:3:1")
    assert result == ChargeResult(succeeded=False, outcome="resource_missing", decline_type=DeclineType.HARD)
    assert fake_stripe.payment_intents_created == 0


@pytest.mark.parametrize(
    ("reason", "decline_type"),
    [
        ("insufficient_funds", DeclineType.SOFT),
        ("processing_error", DeclineType.SOFT),
        ("try_again_later", DeclineType.SOFT),
        ("generic_decline", DeclineType.SOFT),
        ("card_declined", DeclineType.SOFT),
        ("lost_card", DeclineType.HARD),
        ("stolen_card", DeclineType.HARD),
        ("expired_card", DeclineType.HARD),
        ("do_not_honor", DeclineType.HARD),
        ("pickup_card", DeclineType.HARD),
        ("fraudulent", DeclineType.HARD),
        ("authentication_required", DeclineType.HARD),
    ],
)
def test_decline_types(reason, decline_type):
    assert decline_type_for(reason) == decline_type


def test_saving_a_card_starts_with_a_customer_and_an_off_session_setup_intent(shop, fake_stripe):
    with schema_context(shop.schema_name):
        rail = StripeRail()
        customer_ref = rail.customer_create(name="Li Lei", metadata={"customer_uuid": "u-1"})
        handle = rail.setup_intent_create(customer_ref)
    assert fake_stripe.customers[customer_ref]["metadata"] == {"customer_uuid": "u-1", "shop_schema": "shop_alpha"}
    intent = fake_stripe.setup_intents[handle.id]
    assert (handle.customer_ref, handle.client_secret) == (customer_ref, intent["client_secret"])
    assert (intent["customer"], intent["usage"], intent["payment_method_types"]) == (
        customer_ref, "off_session", ["card"]
    )  # fmt: skip


def test_payment_method_get(shop, fake_stripe):
    with schema_context(shop.schema_name):
        rail = StripeRail()
        card = rail.payment_method_get(token="pm_card_visa")
        assert rail.payment_method_get(token="pm_nope") is None
    assert (card.id, card.brand, card.last4, card.customer_ref, card.label) == (
        "pm_card_visa", "visa", "4242", "", "Visa •••• 4242"
    )  # fmt: skip
