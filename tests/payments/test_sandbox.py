import re

import pytest
from django_tenants.utils import schema_context

from pawpact.core.money import Money
from pawpact.payments.base import ChargeResult
from pawpact.payments.enums import DeclineType
from pawpact.payments.errors import IdempotencyKeyReused, RailNotConfigured, UnknownRail
from pawpact.payments.registry import rail_for
from pawpact.payments.sandbox import SandboxRail, token_label, token_vault, validate_token
from pawpact.payments.stripe import StripeRail
from pawpact.sandbox.models import SandboxCharge
from pawpact.tenants.errors import CredentialsMissing, LiveProviderInTestMode, SandboxRefusedInLiveMode

AMOUNT = Money(39_900, "CNY")


class RecordingSleep:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


def _charge(rail, token, key, amount=AMOUNT):
    return rail.charge(token=token, customer_ref="", amount=amount, idempotency_key=key, metadata={})


@pytest.mark.parametrize(
    ("token", "outcome", "succeeded", "decline_type"),
    [
        ("tok_success", "succeeded", True, None),
        ("tok_insufficient_funds", "insufficient_funds", False, DeclineType.SOFT),
        ("tok_hard_decline", "hard_decline", False, DeclineType.HARD),
    ],
)
def test_each_token_has_its_outcome_recorded_once_in_the_public_schema(shop, token, outcome, succeeded, decline_type):
    with schema_context(shop.schema_name):
        result = _charge(SandboxRail(), token, f"key-{token}")
    charge = SandboxCharge.objects.get()
    assert result == ChargeResult(
        succeeded=succeeded, outcome=outcome, reference=charge.reference, decline_type=decline_type
    )
    assert re.fullmatch(r"sbx_[0-9a-f]{32}", charge.reference)
    assert (charge.idempotency_key, charge.shop_schema, charge.token, charge.amount_minor, charge.currency,
            charge.outcome) == (f"key-{token}", "shop_alpha", token, 39_900, "CNY", outcome)  # fmt: skip


def test_a_network_error_charges_nothing_and_the_outcome_is_unknown(shop):
    with schema_context(shop.schema_name):
        first = _charge(SandboxRail(), "tok_network_error", "key-net")
        again = _charge(SandboxRail(), "tok_network_error", "key-net")
    assert first == again == ChargeResult(succeeded=False, outcome="network_error", is_unknown=True)
    assert SandboxCharge.objects.count() == 0


def test_the_slow_token_succeeds_after_the_configured_delay(shop, settings):
    settings.SANDBOX_RAIL_SLOW_SECONDS = 0.75
    sleep = RecordingSleep()
    with schema_context(shop.schema_name):
        result = _charge(SandboxRail(sleep=sleep), "tok_slow", "key-slow")
        again = _charge(SandboxRail(sleep=sleep), "tok_slow", "key-slow")
    assert result == again == ChargeResult(
        succeeded=True, outcome="succeeded", reference=SandboxCharge.objects.get().reference
    )
    assert sleep.calls == [0.75]  # the repeated key is answered from the record, at once


def test_the_default_delay_is_two_seconds(shop):
    sleep = RecordingSleep()
    with schema_context(shop.schema_name):
        _charge(SandboxRail(sleep=sleep), "tok_slow", "key-slow")
    assert sleep.calls == [2.0]


@pytest.mark.parametrize("token", ["tok_success", "tok_insufficient_funds", "tok_hard_decline"])
def test_the_same_key_twice_is_one_charge_with_the_same_reference(shop, token):
    with schema_context(shop.schema_name):
        first = _charge(SandboxRail(), token, "key-twice")
        second = _charge(SandboxRail(), token, "key-twice")
    assert first == second
    assert SandboxCharge.objects.count() == 1
    assert first.reference == SandboxCharge.objects.get().reference


def test_a_new_key_is_a_new_charge(shop):
    with schema_context(shop.schema_name):
        first = _charge(SandboxRail(), "tok_success", "key-1")
        second = _charge(SandboxRail(), "tok_success", "key-2")
    assert first.reference != second.reference
    assert SandboxCharge.objects.count() == 2


def test_a_key_reused_for_a_different_charge_is_refused_and_changes_nothing(shop, other_shop):
    with schema_context(shop.schema_name):
        first = _charge(SandboxRail(), "tok_success", "key-reuse")
        with pytest.raises(IdempotencyKeyReused):
            _charge(SandboxRail(), "tok_success", "key-reuse", amount=Money(100, "CNY"))
        with pytest.raises(IdempotencyKeyReused):
            _charge(SandboxRail(), "tok_hard_decline", "key-reuse")
    with schema_context(other_shop.schema_name), pytest.raises(IdempotencyKeyReused):
        _charge(SandboxRail(), "tok_success", "key-reuse")
    charge = SandboxCharge.objects.get()
    assert (charge.reference, charge.amount_minor, charge.shop_schema) == (first.reference, 39_900, "shop_alpha")


def test_each_shop_is_recorded_as_the_charging_shop(shop, other_shop):
    with schema_context(other_shop.schema_name):
        _charge(SandboxRail(), "tok_success", "key-beta")
    assert SandboxCharge.objects.get().shop_schema == "shop_beta"


def test_saved_tokens_with_a_suffix_charge_like_their_test_token(shop):
    with schema_context(shop.schema_name):
        result = _charge(SandboxRail(), "tok_insufficient_funds.a1b2c3", "key-suffix")
    assert (result.outcome, result.decline_type) == ("insufficient_funds", DeclineType.SOFT)


def test_an_unknown_token_is_a_recorded_hard_decline(shop):
    with schema_context(shop.schema_name):
        result = _charge(SandboxRail(), "tok_nonsense", "key-bad")
    assert result == ChargeResult(
        succeeded=False, outcome="invalid_token", reference=SandboxCharge.objects.get().reference,
        decline_type=DeclineType.HARD,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("token", "valid"),
    [
        ("tok_success", True),
        ("tok_insufficient_funds", True),
        ("tok_hard_decline", True),
        ("tok_network_error", True),
        ("tok_slow", True),
        ("tok_success.0f3a9c", True),
        ("tok_success.", False),
        ("tok_success.a-b", False),
        ("tok_success.x.y", False),
        ("tok_unknown", False),
        ("TOK_SUCCESS", False),
        ("", False),
        ("pm_card_visa", False),
    ],
)
def test_validate_token(token, valid):
    assert validate_token(token) is valid


def test_token_labels_and_vaulting():
    assert token_label("tok_success") == "Sandbox · success"
    assert token_label("tok_insufficient_funds.abc") == "Sandbox · insufficient funds"
    first, second = token_vault("tok_success"), token_vault("tok_success")
    assert first != second and re.fullmatch(r"tok_success\.[0-9a-f]{16}", first) and validate_token(first)
    assert token_vault(first) == first  # already a saved token


def test_rail_for(settings):
    assert isinstance(rail_for("sandbox", livemode=False), SandboxRail)
    with pytest.raises(SandboxRefusedInLiveMode):
        rail_for("sandbox", livemode=True)
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(RailNotConfigured):
        rail_for("stripe", livemode=False)
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert isinstance(rail_for("stripe", livemode=False), StripeRail)
    # A test key never charges a live contract, a live key never a test-mode one.
    with pytest.raises(SandboxRefusedInLiveMode):
        rail_for("stripe", livemode=True)
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    with pytest.raises(LiveProviderInTestMode):
        rail_for("stripe", livemode=False)
    assert isinstance(rail_for("stripe", livemode=True), StripeRail)
    # Alipay and WeChat need a shop's verified credentials (the platform has none) and a gateway.
    with pytest.raises(CredentialsMissing):
        rail_for("alipay", livemode=False)
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "wechat": {"live": "", "test": ""}}
    with pytest.raises(RailNotConfigured):
        rail_for("wechat", livemode=False)
    with pytest.raises(UnknownRail):
        rail_for("paypal", livemode=False)
