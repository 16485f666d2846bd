"""Stripe webhooks: signed test payloads (HMAC-SHA256 like Stripe), posted to the public site."""
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tenants.utils import schema_context

from pawpact.billing.enums import AttemptStatus, PeriodStatus
from pawpact.billing.ledger import unbalanced_journals
from pawpact.billing.models import DebitAttempt, Journal
from pawpact.core.events import CATALOGUE
from pawpact.core.money import Money
from pawpact.outbox.models import OutboxEvent
from pawpact.payments.enums import DeclineType
from pawpact.payments.stripe import StripeRail
from pawpact.platform.models import WebhookEvent, WebhookStatus
from pawpact.platform.stripe_events import stripe_event_process
from pawpact.platform.tasks import stripe_webhook_requeue_task
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import debit_attempt_make

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
URL = "/webhooks/stripe/"

PLATFORM_KINDS = [kind for kind, definition in CATALOGUE.items() if definition.platform]


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign(body: bytes, *, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def deliver(client, event, *, age: int = 0, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    if signature is None:
        signature = sign(body, timestamp=int(time.time()) - age, secret=secret)
    return client.post(URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def intent_event(event_type, attempt, *, shop_schema, event_id="evt_1", by="idempotency_key", amount=None,
                 decline_code="insufficient_funds"):  # fmt: skip
    metadata = {"shop_schema": shop_schema, "contract_uuid": "c", "period_number": "1"}
    if by == "idempotency_key":
        metadata["idempotency_key"] = attempt.idempotency_key
    else:
        metadata["attempt_id"] = str(attempt.pk)
    intent = {
        "id": f"pi_for_{attempt.pk}",
        "object": "payment_intent",
        "amount": attempt.amount_minor if amount is None else amount,
        "currency": "cny",
        "status": "succeeded",
        "metadata": metadata,
        "last_payment_error": None,
    }
    if event_type == "payment_intent.payment_failed":
        error = {"type": "card_error", "code": "card_declined", "decline_code": decline_code}
        intent.update(status="requires_payment_method", last_payment_error=error)
    created = int(time.time())
    return {"id": event_id, "object": "event", "type": event_type, "created": created, "data": {"object": intent}}


def _attempt(shop, **kwargs) -> DebitAttempt:
    with schema_context(shop.schema_name):
        return debit_attempt_make(**kwargs)


def _state(shop, attempt):
    with schema_context(shop.schema_name):
        attempt = DebitAttempt.objects.select_related("period").get(pk=attempt.pk)
        return {
            "attempt": (attempt.status, attempt.outcome, attempt.decline_type, attempt.rail_reference),
            "period": attempt.period.status,
            "journals": list(Journal.objects.values_list("idempotency_key", flat=True)),
            # Facts for the platform; messages the debit sent add shop-only `message.sent` facts.
            "outbox": list(OutboxEvent.objects.filter(kind__in=PLATFORM_KINDS).values_list("kind", flat=True)),
            "unbalanced": unbalanced_journals(),
        }


pytestmark = pytest.mark.usefixtures("webhook_secret")


@pytest.mark.parametrize("by", ["idempotency_key", "attempt_id"])
def test_a_signed_success_is_stored_answered_and_processed_in_the_shop(
    shop, public_client, frozen, django_capture_on_commit_callbacks, by
):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha", by=by)
        response = deliver(public_client, event)
    assert (response.status_code, response.json()) == (200, {"received": True, "duplicate": False})
    assert len(callbacks) == 1
    event = WebhookEvent.objects.get()
    assert (event.provider, event.event_id, event.event_type, event.shop_schema, event.status, event.error) == (
        "stripe", "evt_1", "payment_intent.succeeded", "shop_alpha", WebhookStatus.PROCESSED, ""
    )  # fmt: skip
    assert event.processed_at == NOW and event.created_by_provider_at == NOW
    assert _state(shop, attempt) == {
        "attempt": (AttemptStatus.SUCCEEDED, "succeeded", "", f"pi_for_{attempt.pk}"),
        "period": PeriodStatus.PAID,
        "journals": [f"period.paid:{attempt.period_id}"],
        "outbox": ["debit.paid"],
        "unbalanced": [],
    }


def test_a_signed_failure_fails_the_attempt(shop, public_client, frozen, django_capture_on_commit_callbacks):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, intent_event("payment_intent.payment_failed", attempt, shop_schema="shop_alpha"))
    assert WebhookEvent.objects.get().status == WebhookStatus.PROCESSED
    assert _state(shop, attempt) == {
        "attempt": (AttemptStatus.FAILED, "insufficient_funds", DeclineType.SOFT, f"pi_for_{attempt.pk}"),
        "period": PeriodStatus.FAILED,
        "journals": [],
        "outbox": ["debit.failed"],
        "unbalanced": [],
    }


def test_a_hard_decline_by_webhook(shop, public_client, frozen, django_capture_on_commit_callbacks):
    attempt = _attempt(shop)
    event = intent_event(
        "payment_intent.payment_failed", attempt, shop_schema="shop_alpha", decline_code="stolen_card"
    )
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, event)
    assert _state(shop, attempt)["attempt"] == (
        AttemptStatus.FAILED, "stolen_card", DeclineType.HARD, f"pi_for_{attempt.pk}"
    )  # fmt: skip


def _refused(response, code):
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["fields"]) == (code, {})
    assert body["message"]
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "tampered body", "no v1 signature", "garbage header", "no header"],
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(
    shop, public_client, frozen, django_capture_on_commit_callbacks, how
):
    attempt = _attempt(shop)
    event = intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha")
    body = json.dumps(event).encode()
    good = sign(body, timestamp=int(time.time()))
    signature = {
        "wrong secret": sign(body, timestamp=int(time.time()), secret="whsec_other"),
        "tampered body": good,
        "no v1 signature": good.split(",")[0],
        "garbage header": "nonsense",
        "no header": "",
    }[how]
    if how == "tampered body":
        body = body.replace(b'"amount": 39900', b'"amount": 1')
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(public_client, body, signature=signature)
    _refused(response, "webhook_signature_invalid")
    assert callbacks == []
    assert _state(shop, attempt)["attempt"][0] == AttemptStatus.STARTED


def test_a_stale_timestamp_is_refused(shop, public_client, frozen):
    attempt = _attempt(shop)
    _refused(deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha"),
                     age=301), "webhook_timestamp_stale")  # fmt: skip


def test_a_future_timestamp_is_refused_even_with_a_good_signature(shop, public_client, frozen):
    attempt = _attempt(shop)
    _refused(deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha"),
                     age=-301), "webhook_timestamp_future")  # fmt: skip


@pytest.mark.parametrize("age", [300, -300, 0])
def test_timestamps_within_the_tolerance_are_accepted(shop, public_client, frozen, age):
    attempt = _attempt(shop)
    event = intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha")
    response = deliver(public_client, event, age=age)
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


def test_a_signed_body_that_is_not_an_event_is_refused(public_client, frozen):
    _refused(deliver(public_client, b"not json"), "webhook_payload_invalid")
    _refused(deliver(public_client, b'{"no": "id"}'), "webhook_payload_invalid")


def test_only_post(public_client):
    assert public_client.get(URL).status_code == 405
    assert WebhookEvent.objects.count() == 0


def test_a_duplicate_delivery_answers_200_and_stores_and_does_nothing_new(
    shop, public_client, frozen, django_capture_on_commit_callbacks
):
    attempt = _attempt(shop)
    event = intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, event)
    before = _state(shop, attempt)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(public_client, event)
    assert (response.status_code, response.json()) == (200, {"received": True, "duplicate": True})
    assert callbacks == []
    assert WebhookEvent.objects.count() == 1
    assert _state(shop, attempt) == before
    assert len(before["journals"]) == len(before["outbox"]) == 1


def test_processing_twice_has_one_effect(shop, public_client, frozen, django_capture_on_commit_callbacks):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha"))
    before = _state(shop, attempt)
    event = WebhookEvent.objects.get()
    with schema_context(shop.schema_name):
        stripe_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert (event.status, event.error) == (WebhookStatus.PROCESSED, "")
    assert _state(shop, attempt) == before


def test_a_failure_after_the_success_does_not_change_the_finished_attempt(
    shop, public_client, frozen, django_capture_on_commit_callbacks
):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha"))
        deliver(public_client, intent_event("payment_intent.payment_failed", attempt, shop_schema="shop_alpha",
                                            event_id="evt_2"))  # fmt: skip
    assert _state(shop, attempt) == {
        "attempt": (AttemptStatus.SUCCEEDED, "succeeded", "", f"pi_for_{attempt.pk}"),
        "period": PeriodStatus.PAID,
        "journals": [f"period.paid:{attempt.period_id}"],
        "outbox": ["debit.paid"],
        "unbalanced": [],
    }
    late = WebhookEvent.objects.get(event_id="evt_2")
    assert (late.status, late.error) == (WebhookStatus.PROCESSED, "attempt already succeeded: left unchanged")


def test_a_success_after_a_recorded_failure_does_not_change_it_either(
    shop, public_client, frozen, django_capture_on_commit_callbacks
):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, intent_event("payment_intent.payment_failed", attempt, shop_schema="shop_alpha"))
        deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha",
                                            event_id="evt_2"))  # fmt: skip
    state = _state(shop, attempt)
    assert (state["attempt"][0], state["period"], state["journals"]) == (AttemptStatus.FAILED, PeriodStatus.FAILED, [])
    late = WebhookEvent.objects.get(event_id="evt_2")
    assert late.error == "attempt already failed: left unchanged"


def test_an_event_for_beta_never_touches_alpha(
    shop, other_shop, public_client, frozen, django_capture_on_commit_callbacks
):
    beta_attempt = _attempt(other_shop)
    # Alpha has an attempt with the very same id: only the schema tells them apart.
    alpha_attempt = _attempt(shop, attempt_id=beta_attempt.pk)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, intent_event("payment_intent.succeeded", beta_attempt, shop_schema="shop_beta",
                                            by="attempt_id"))  # fmt: skip
    assert WebhookEvent.objects.get().shop_schema == "shop_beta"
    assert _state(other_shop, beta_attempt)["attempt"][0] == AttemptStatus.SUCCEEDED
    assert _state(shop, alpha_attempt) == {
        "attempt": (AttemptStatus.STARTED, "", "", ""),
        "period": PeriodStatus.ATTEMPTED,
        "journals": [],
        "outbox": [],
        "unbalanced": [],
    }


@pytest.mark.parametrize("schema", ["shop_gamma", "public", "", "pawpact_template"])
def test_an_event_for_an_unknown_shop_is_stored_as_ignored(
    shop, public_client, frozen, django_capture_on_commit_callbacks, schema
):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema=schema))
    assert response.status_code == 200 and callbacks == []
    event = WebhookEvent.objects.get()
    assert (event.status, event.error, event.processed_at) == (WebhookStatus.IGNORED, "unknown shop schema", NOW)
    assert _state(shop, attempt)["attempt"][0] == AttemptStatus.STARTED


def test_event_types_not_handled_are_stored_as_ignored(public_client, frozen, django_capture_on_commit_callbacks):
    event = {"id": "evt_c", "object": "event", "type": "customer.created", "created": int(time.time()),
             "data": {"object": {"id": "cus_1", "object": "customer"}}}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert deliver(public_client, event).status_code == 200
    assert callbacks == []
    assert WebhookEvent.objects.get().status == WebhookStatus.IGNORED


def test_a_payment_without_a_known_attempt_is_ignored(shop, public_client, frozen, django_capture_on_commit_callbacks):
    attempt = _attempt(shop)
    event = intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha")
    event["data"]["object"]["metadata"]["idempotency_key"] = "debit:someone-else:1:1"
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, event)
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.error) == (WebhookStatus.IGNORED, "no debit attempt for this payment")
    assert _state(shop, attempt)["attempt"][0] == AttemptStatus.STARTED


def test_an_amount_that_does_not_match_the_attempt_is_not_applied(
    shop, public_client, frozen, django_capture_on_commit_callbacks
):
    attempt = _attempt(shop)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha", amount=100))
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.error) == (WebhookStatus.FAILED, "amount 100 != attempt 39900")
    assert _state(shop, attempt)["attempt"][0] == AttemptStatus.STARTED


def test_processing_in_another_shops_schema_is_refused(shop, other_shop, public_client, frozen):
    attempt = _attempt(other_shop)
    deliver(public_client, intent_event("payment_intent.succeeded", attempt, shop_schema="shop_beta"))
    event = WebhookEvent.objects.get()  # stored; its task is still waiting for the commit
    with schema_context(shop.schema_name):
        stripe_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert (event.status, event.error) == (WebhookStatus.FAILED, "processed in shop_alpha, not shop_beta")
    assert _state(other_shop, attempt)["attempt"][0] == AttemptStatus.STARTED


def test_the_tasks_are_registered_under_their_names(_celery_app):
    import pawpact.platform.tasks  # noqa: F401 — the worker finds it through autodiscovery

    assert {"platform.stripe_webhook_process", "platform.stripe_webhook_requeue"} <= set(_celery_app.tasks)


def test_an_event_whose_enqueue_failed_is_answered_200_and_requeued_later(
    shop, public_client, frozen, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from pawpact.platform import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    attempt = _attempt(shop)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.stripe_webhook_process_task, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            event = intent_event("payment_intent.succeeded", attempt, shop_schema="shop_alpha")
            response = deliver(public_client, event)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookStatus.RECEIVED

    assert stripe_webhook_requeue_task() == 0  # too young: its task may still be on its way
    frozen.shift(timedelta(minutes=6))
    assert stripe_webhook_requeue_task() == 1
    assert WebhookEvent.objects.get().status == WebhookStatus.PROCESSED
    assert _state(shop, attempt)["attempt"][0] == AttemptStatus.SUCCEEDED
    assert stripe_webhook_requeue_task() == 0


def test_a_charge_whose_answer_was_lost_is_finished_by_its_webhook(
    shop, public_client, fake_stripe, fast_stripe_client, django_capture_on_commit_callbacks
):
    """End to end with the fake Stripe: the charge times out (attempt stays STARTED), then
    Stripe's webhook about that PaymentIntent finishes it, found by its idempotency key."""
    attempt = _attempt(shop, rail="stripe", token="pm_card_visa", customer_ref="cus_fake")
    fake_stripe.latency_seconds = 1.0
    with schema_context(shop.schema_name):
        result = StripeRail().charge(
            token="pm_card_visa", customer_ref="cus_fake", amount=Money(attempt.amount_minor),
            idempotency_key=attempt.idempotency_key, metadata={"contract_uuid": "c", "period_number": "1"},
        )  # fmt: skip
    assert result.is_unknown
    [intent_id] = fake_stripe.payment_intents
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(public_client, fake_stripe.event("payment_intent.succeeded", intent_id))
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookStatus.PROCESSED
    state = _state(shop, attempt)
    assert (state["attempt"], state["period"], state["unbalanced"]) == (
        (AttemptStatus.SUCCEEDED, "succeeded", "", intent_id), PeriodStatus.PAID, []
    )  # fmt: skip
    assert fake_stripe.payment_intents_created == 1
