import re

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.errors import InvalidPaymentMethod
from pawpact.billing.models import PaymentMethod
from pawpact.billing.services.payment_methods import payment_method_attach, stripe_card_setup_begin
from pawpact.core.money import Money
from pawpact.payments.sandbox import SandboxRail
from tests.payments.helpers import customer_make


def test_a_sandbox_token_is_saved_with_its_own_token_and_a_label(shop):
    with schema_context(shop.schema_name):
        customer = customer_make()
        method = payment_method_attach(customer=customer, rail="sandbox", token="tok_success")
        assert PaymentMethod.objects.count() == 1
        result = SandboxRail().charge(
            token=method.token, customer_ref="", amount=Money(100), idempotency_key="k", metadata={}
        )
    assert (method.customer_id, method.rail, method.label, method.rail_customer_ref, method.is_active) == (
        customer.pk, "sandbox", "Sandbox · success", "", True
    )  # fmt: skip
    assert re.fullmatch(r"tok_success\.[0-9a-f]{16}", method.token)
    assert result.succeeded


def test_many_customers_can_save_the_same_sandbox_test_token(shop):
    with schema_context(shop.schema_name):
        first = payment_method_attach(customer=customer_make(), rail="sandbox", token="tok_insufficient_funds")
        second = payment_method_attach(customer=customer_make(), rail="sandbox", token="tok_insufficient_funds")
        assert PaymentMethod.objects.count() == 2
    assert first.token != second.token
    assert first.label == second.label == "Sandbox · insufficient funds"


def test_a_given_label_is_kept(shop):
    with schema_context(shop.schema_name):
        method = payment_method_attach(customer=customer_make(), rail="sandbox", token="tok_slow", label="Test card")
    assert method.label == "Test card"


@pytest.mark.parametrize("token", ["tok_bogus", "", "   ", "pm_card_visa", "tok_success.!!"])
def test_an_invalid_sandbox_token_is_refused_and_nothing_is_written(shop, token):
    with schema_context(shop.schema_name):
        customer = customer_make()
        with pytest.raises(InvalidPaymentMethod) as caught:
            payment_method_attach(customer=customer, rail="sandbox", token=token)
        assert PaymentMethod.objects.count() == 0
    assert caught.value.as_dict() == {
        "code": "invalid_payment_method",
        "message": "This is not a sandbox payment token.",
        "fields": {"token": ["This is not a sandbox payment token."]},
    }


def test_a_saved_token_attached_again_returns_the_same_method_but_never_for_another_customer(shop):
    with schema_context(shop.schema_name):
        owner, stranger = customer_make(), customer_make(name="Han Meimei")
        method = payment_method_attach(customer=owner, rail="sandbox", token="tok_success")
        again = payment_method_attach(customer=owner, rail="sandbox", token=method.token)
        with pytest.raises(InvalidPaymentMethod, match="another customer"):
            payment_method_attach(customer=stranger, rail="sandbox", token=method.token)
        assert list(PaymentMethod.objects.values_list("customer_id", flat=True)) == [owner.pk]
    assert again.pk == method.pk


@pytest.mark.parametrize("rail", ["wechat", "alipay", "paypal"])
def test_rails_without_saved_methods_are_refused(shop, rail):
    with schema_context(shop.schema_name):
        with pytest.raises(InvalidPaymentMethod) as caught:
            payment_method_attach(customer=customer_make(), rail=rail, token="tok_success")
        assert PaymentMethod.objects.count() == 0
    assert caught.value.fields == {"rail": ["Choose one of: sandbox, stripe."]}


def test_a_stripe_card_is_saved_once_its_setup_intent_is_confirmed(shop, fake_stripe):
    with schema_context(shop.schema_name):
        customer = customer_make()
        setup = stripe_card_setup_begin(customer=customer)
        fake_stripe.setup_confirm(setup.id, "pm_card_visa")  # what Stripe.js does in the browser
        method = payment_method_attach(customer=customer, rail="stripe", token="pm_card_visa")
        again = payment_method_attach(customer=customer, rail="stripe", token="pm_card_visa")
        assert PaymentMethod.objects.count() == 1
        # A second card setup reuses the customer's Stripe customer.
        later = stripe_card_setup_begin(customer=customer)
    assert (method.rail, method.token, method.label, method.rail_customer_ref) == (
        "stripe", "pm_card_visa", "Visa •••• 4242", setup.customer_ref
    )  # fmt: skip
    assert again.pk == method.pk
    assert later.customer_ref == setup.customer_ref and len(fake_stripe.customers) == 1
    assert fake_stripe.requests.count(("GET", "/v1/payment_methods/pm_card_visa")) == 2


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("pm_unknown", "Stripe does not know this payment method."),
        ("tok_success", "Stripe does not know this payment method."),
        ("pm_card_visa", "This card is not saved for automatic debits yet: confirm the card setup first."),
    ],
)
def test_a_stripe_card_that_cannot_be_debited_is_refused_and_nothing_is_written(shop, fake_stripe, token, message):
    with schema_context(shop.schema_name):
        with pytest.raises(InvalidPaymentMethod) as caught:
            payment_method_attach(customer=customer_make(), rail="stripe", token=token)
        assert PaymentMethod.objects.count() == 0
    assert caught.value.as_dict() == {
        "code": "invalid_payment_method", "message": message, "fields": {"token": [message]}
    }  # fmt: skip


def test_another_customers_stripe_card_is_refused(shop, fake_stripe):
    with schema_context(shop.schema_name):
        owner, stranger = customer_make(), customer_make(name="Han Meimei")
        setup = stripe_card_setup_begin(customer=owner)
        fake_stripe.setup_confirm(setup.id, "pm_card_visa")
        payment_method_attach(customer=owner, rail="stripe", token="pm_card_visa")
        fake_stripe.setup_confirm(setup.id, "pm_card_chargeDeclinedInsufficientFunds")
        with pytest.raises(InvalidPaymentMethod, match="another customer"):
            payment_method_attach(customer=stranger, rail="stripe", token="pm_card_chargeDeclinedInsufficientFunds")
        assert PaymentMethod.objects.filter(customer=stranger).count() == 0
