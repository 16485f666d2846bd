"""Saving the shop's payment method (sandbox and Stripe) and charging through the Stripe adapter."""
from datetime import date

import pytest

from pawpact.platform.enums import InvoiceStatus, SubscriptionStatus
from pawpact.platform.funding.ledger import account_balances, unbalanced_journals
from pawpact.platform.models import SaasInvoice, ShopSubscription
from pawpact.platform.saas.errors import InvalidSaasPaymentMethod, NoSubscription
from pawpact.platform.saas.services import subscription_pay_now, subscription_payment_method_set
from pawpact.platform.tasks import saas_billing_run_task
from tests.platform.saas.conftest import snapshot, travel


@pytest.mark.parametrize(
    ("rail", "token", "field"),
    [
        ("sandbox", "tok_nonsense", "token"),
        ("sandbox", "", "token"),
        ("sandbox", "tok_success.bad suffix!", "token"),
        ("bitcoin", "tok_success", "rail"),
    ],
)
def test_an_invalid_method_is_refused_and_nothing_is_written(subscribed, shop, rail, token, field):
    before = snapshot(shop.pk)
    with pytest.raises(InvalidSaasPaymentMethod) as refused:
        subscription_payment_method_set(shop=shop, rail=rail, token=token)
    assert refused.value.http_status == 400
    assert field in refused.value.fields
    assert snapshot(shop.pk) == before


def test_a_shop_without_subscription_has_no_method_to_set(shop):
    with pytest.raises(NoSubscription):
        subscription_payment_method_set(shop=shop, rail="sandbox", token="tok_success")


def test_a_sandbox_token_is_saved(subscribed, shop):
    subscription_payment_method_set(shop=shop, rail="sandbox", token=" tok_success ")
    sub = ShopSubscription.objects.get(shop=shop)
    assert (sub.payment_rail, sub.payment_token, sub.rail_customer_ref) == ("sandbox", "tok_success", "")


def test_a_stripe_card_is_saved_on_a_stripe_customer_of_the_shop(subscribed, shop, fake_stripe):
    subscription_payment_method_set(shop=shop, rail="stripe", token="pm_card_visa")
    sub = ShopSubscription.objects.get(shop=shop)
    assert (sub.payment_rail, sub.payment_token) == ("stripe", "pm_card_visa")
    assert sub.rail_customer_ref in fake_stripe.customers
    metadata = fake_stripe.customers[sub.rail_customer_ref]["metadata"]
    assert metadata == {"pawpact_shop_id": str(shop.pk), "purpose": "saas"}
    assert fake_stripe.attached["pm_card_visa"] == sub.rail_customer_ref

    # A second card joins the same Stripe customer.
    subscription_payment_method_set(shop=shop, rail="stripe", token="pm_card_chargeDeclinedInsufficientFunds")
    again = ShopSubscription.objects.get(shop=shop)
    assert again.rail_customer_ref == sub.rail_customer_ref and len(fake_stripe.customers) == 1


@pytest.mark.parametrize("token", ["pm_unknown", "tok_success", "card_4242"])
def test_stripe_refuses_unknown_cards_and_nothing_is_written(subscribed, shop, fake_stripe, token):
    before = snapshot(shop.pk)
    with pytest.raises(InvalidSaasPaymentMethod):
        subscription_payment_method_set(shop=shop, rail="stripe", token=token)
    assert snapshot(shop.pk) == before
    assert fake_stripe.customers == {}


def test_a_card_of_another_stripe_customer_is_refused(subscribed, shop, fake_stripe):
    fake_stripe.customers["cus_someone"] = {"id": "cus_someone"}
    fake_stripe.attached["pm_card_visa"] = "cus_someone"
    before = snapshot(shop.pk)
    with pytest.raises(InvalidSaasPaymentMethod):
        subscription_payment_method_set(shop=shop, rail="stripe", token="pm_card_visa")
    assert snapshot(shop.pk) == before


def test_stripe_charges_the_invoice_once_with_its_idempotency_key(subscribed, shop, fake_stripe):
    subscription_payment_method_set(shop=shop, rail="stripe", token="pm_card_visa")
    with travel(2026, 3, 15):
        saas_billing_run_task()
        saas_billing_run_task()
    invoice = SaasInvoice.objects.get(shop=shop)
    assert invoice.status == InvoiceStatus.PAID
    assert fake_stripe.payment_intents_created == 1
    intent = fake_stripe.payment_intents[invoice.rail_reference]
    assert (intent["amount"], intent["currency"]) == (19_900, "cny")
    assert (intent["off_session"], intent["confirm"]) == (True, True)
    assert intent["customer"] == ShopSubscription.objects.get(shop=shop).rail_customer_ref
    assert intent["metadata"]["idempotency_key"] == f"saas:{invoice.number}"
    assert intent["metadata"]["shop_schema"] == "public"  # not a shop's debit: the webhook inbox ignores it
    assert ShopSubscription.objects.get(shop=shop).status == SubscriptionStatus.ACTIVE
    assert unbalanced_journals() == []
    assert account_balances(shop_id=shop.pk)["cash"] == 19_900


def test_a_declined_stripe_card_makes_the_shop_past_due_and_a_new_card_pays(subscribed, shop, fake_stripe):
    subscription_payment_method_set(shop=shop, rail="stripe", token="pm_card_chargeDeclinedInsufficientFunds")
    with travel(2026, 3, 15):
        saas_billing_run_task()
    invoice = SaasInvoice.objects.get(shop=shop)
    sub = ShopSubscription.objects.get(shop=shop)
    assert (invoice.status, sub.status) == (InvoiceStatus.FAILED, SubscriptionStatus.PAST_DUE)
    assert sub.grace_until == date(2026, 3, 22)
    with travel(2026, 3, 16):
        subscription_payment_method_set(shop=shop, rail="stripe", token="pm_card_visa")
        subscription_pay_now(shop=shop)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert fake_stripe.payment_intents_created == 2
    assert ShopSubscription.objects.get(shop=shop).status == SubscriptionStatus.ACTIVE
