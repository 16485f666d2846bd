"""Changing the payment method of a paid membership: the next renewal is charged to the new
method, a failed renewal is retried on it at once (charged once), a charge already sent stays
on its method; on the customer's page and through the API; another customer's membership or
method is a 404 and another shop's host or token sees nothing; refusals write nothing."""
from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.api.opaque_ids import PAYMENT_METHOD, opaque_id
from pawpact.billing.enums import JournalKind
from pawpact.billing.models import Journal
from pawpact.core.clock import FixedClock
from pawpact.core.errors import Conflict
from pawpact.billing.errors import InvalidPaymentMethod
from pawpact.loyalty.paid_membership import paid_membership_join
from pawpact.loyalty.paid_methods import paid_membership_method_change
from pawpact.loyalty.paid_models import ChargeStatus, PaidCharge, PaidMembership, PaidStatus
from pawpact.loyalty.paid_refunds import paid_membership_cancel
from pawpact.loyalty.paid_renewals import paid_renewals_run
from pawpact.sandbox.models import SandboxCharge
from tests.loyalty.conftest import NOW, member
from tests.loyalty.paid_helpers import method, plan
from tests.loyalty.test_coupon_api import api, error, login
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.workspace.conftest import client_for

pytestmark = pytest.mark.django_db


def _charged(shop) -> list[tuple[str, int, str]]:
    """(token's card, amount, outcome) of every charge the sandbox rail saw, in order."""
    rows = SandboxCharge.objects.filter(shop_schema=shop.schema_name).order_by("id")
    return [(token.split(".")[0], amount, outcome) for token, amount, outcome in
            rows.values_list("token", "amount_minor", "outcome")]  # fmt: skip


@pytest.mark.usefixtures("in_shop")
def test_the_next_renewal_is_charged_to_the_new_method_and_a_failed_one_is_retried_there_at_once(shop):
    clock = FixedClock(NOW)
    customer = member()
    first, broke, fresh = method(customer), method(customer, "tok_insufficient_funds"), method(customer)
    joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=first, request_key="j", clock=clock)
    changed = paid_membership_method_change(membership=joined, payment_method=broke, clock=clock)
    assert (changed.payment_method_id, changed.status) == (broke.pk, PaidStatus.ACTIVE)  # nothing charged now
    clock.advance(timedelta(days=31))  # 9 April: renewed on the card that has no money
    paid_renewals_run(clock=clock)
    joined.refresh_from_db()
    assert (joined.status, joined.failed_renewals, joined.period_end) == (PaidStatus.PAST_DUE, 1, date(2026, 4, 9))
    clock.advance(timedelta(hours=2))
    retried = paid_membership_method_change(membership=joined, payment_method=fresh, clock=clock)
    assert (retried.status, retried.failed_renewals, retried.next_attempt_at) == (PaidStatus.ACTIVE, 0, None)
    assert (retried.period_start, retried.period_end, retried.payment_method_id) == (date(2026, 4, 9), date(2026, 5, 9),
                                                                                    fresh.pk)  # fmt: skip
    assert _charged(shop) == [("tok_success", 990, "succeeded"), ("tok_insufficient_funds", 990, "insufficient_funds"),
                              ("tok_success", 990, "succeeded")]  # fmt: skip
    paid = PaidCharge.objects.filter(status=ChargeStatus.PAID).order_by("id")
    assert [(c.attempt, c.payment_method_id) for c in paid] == [(1, first.pk), (2, fresh.pk)]
    assert Journal.objects.filter(kind=JournalKind.MEMBERSHIP_PAID).count() == 2
    clock.advance(timedelta(days=3))  # the retry the failure had planned finds nothing left to charge
    assert paid_renewals_run(clock=clock) == 0 and len(_charged(shop)) == 3


@pytest.mark.usefixtures("in_shop")
def test_a_charge_in_flight_stays_on_the_method_it_was_sent_to(shop, monkeypatch):
    from pawpact.loyalty import wallet_rail
    from pawpact.payments.base import ChargeResult

    clock = FixedClock(NOW)
    customer = member()
    first, second = method(customer), method(customer)
    joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=first, request_key="j", clock=clock)
    clock.advance(timedelta(days=31))
    real = wallet_rail.charge

    def lost(**kwargs):
        real(**kwargs)
        return ChargeResult(succeeded=False, outcome="rail_error:Timeout", is_unknown=True)

    monkeypatch.setattr("pawpact.loyalty.paid_membership.wallet_rail.charge", lost)
    paid_renewals_run(clock=clock)
    monkeypatch.setattr("pawpact.loyalty.paid_membership.wallet_rail.charge", real)
    paid_membership_method_change(membership=joined, payment_method=second, clock=clock)
    clock.advance(timedelta(minutes=6))
    assert paid_renewals_run(clock=clock) == 1  # asked again of the first card, under its key
    tokens = list(SandboxCharge.objects.order_by("id").values_list("token", flat=True))
    assert tokens == [first.token, first.token]
    joined.refresh_from_db()
    assert (joined.period_end, joined.payment_method_id) == (date(2026, 5, 9), second.pk)


@pytest.mark.usefixtures("in_shop")
def test_a_method_not_the_members_own_or_an_ended_membership_is_refused_and_nothing_changes(shop):
    clock = FixedClock(NOW)
    customer, stranger = member(), member()
    card = method(customer)
    joined = paid_membership_join(customer=customer, plan=plan(990, refund_days=7), payment_method=card,
                                  request_key="j", clock=clock)  # fmt: skip
    other = method(stranger)
    inactive = method(customer)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    for refused in (other, inactive, None):
        with pytest.raises(InvalidPaymentMethod):
            paid_membership_method_change(membership=joined, payment_method=refused, clock=clock)
    paid_membership_cancel(membership=joined, clock=clock)  # refunded: ended at once
    with pytest.raises(Conflict):
        paid_membership_method_change(membership=joined, payment_method=method(customer), clock=clock)
    assert PaidMembership.objects.get().payment_method_id == card.pk


def test_the_api_changes_the_method_and_another_customers_membership_is_a_404(shop, other_shop):
    with schema_context(shop.schema_name):
        customer, stranger = customer_with_login(shop), customer_with_login(shop)
        card, spare, theirs = method(customer), method(customer), method(stranger)
        joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=card, request_key="j")
        their_membership = paid_membership_join(customer=stranger, plan=plan(1_990), payment_method=theirs,
                                                request_key="s")  # fmt: skip
        token, stranger_token = login(customer), login(stranger)
    client = api(shop, token)
    url = f"/api/v1/paid-membership/{joined.uuid}/payment-method"
    assert "payment_method_id" in error(client.post(url, {}, format="json"), 400)["fields"]
    assert "payment_method_id" in error(client.post(url, {"payment_method_id": opaque_id(PAYMENT_METHOD, theirs.pk, schema_name=shop.schema_name)}, format="json"), 404)["fields"]
    error(client.post(f"/api/v1/paid-membership/{their_membership.uuid}/payment-method",
                      {"payment_method_id": opaque_id(PAYMENT_METHOD, spare.pk, schema_name=shop.schema_name)}, format="json"), 404)  # fmt: skip
    error(client.post("/api/v1/paid-membership/not-a-uuid/payment-method", {"payment_method_id": opaque_id(PAYMENT_METHOD, spare.pk, schema_name=shop.schema_name)},
                      format="json"), 404)  # fmt: skip
    error(api(shop, stranger_token).post(url, {"payment_method_id": opaque_id(PAYMENT_METHOD, theirs.pk, schema_name=shop.schema_name)}, format="json"), 404)
    assert api(other_shop, token).post(url, {"payment_method_id": opaque_id(PAYMENT_METHOD, spare.pk, schema_name=shop.schema_name)}, format="json").status_code == 401
    with schema_context(shop.schema_name):
        assert PaidMembership.objects.get(pk=joined.pk).payment_method_id == card.pk
    changed = client.post(url, {"payment_method_id": opaque_id(PAYMENT_METHOD, spare.pk, schema_name=shop.schema_name)}, format="json")
    assert changed.status_code == 200 and changed.json()["payment_method_id"] == opaque_id(PAYMENT_METHOD, spare.pk, schema_name=shop.schema_name)
    assert client.get("/api/v1/paid-membership").json()["membership"]["payment_method_id"] == opaque_id(PAYMENT_METHOD, spare.pk, schema_name=shop.schema_name)
    with schema_context(shop.schema_name):
        assert PaidMembership.objects.get(pk=their_membership.pk).payment_method_id == theirs.pk


def test_the_customer_page_changes_the_method_and_refuses_anothers_membership(shop, other_shop):
    with schema_context(shop.schema_name):
        customer, stranger = customer_with_login(shop), customer_with_login(shop)
        card, spare, theirs = method(customer), method(customer), method(stranger)
        joined = paid_membership_join(customer=customer, plan=plan(990), payment_method=card, request_key="j")
        their_membership = paid_membership_join(customer=stranger, plan=plan(1_990), payment_method=theirs,
                                                request_key="s")  # fmt: skip
    browser = browser_of(shop, customer)
    page = browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Renewals are charged to" in page and "Change payment method" in page
    assert "更换支付方式" in browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    refused = browser.post("/my/club/method/", {"membership": joined.uuid, "payment_method": theirs.pk},
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert browser.post("/my/club/method/", {"membership": their_membership.uuid, "payment_method": spare.pk}).status_code == 404
    with schema_context(shop.schema_name):
        assert PaidMembership.objects.get(pk=joined.pk).payment_method_id == card.pk
    done = browser.post("/my/club/method/", {"membership": joined.uuid, "payment_method": spare.pk}, follow=True,
                        HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "Your next renewal will be charged to" in done.content.decode()
    with schema_context(shop.schema_name):
        assert PaidMembership.objects.get(pk=joined.pk).payment_method_id == spare.pk
        assert PaidMembership.objects.get(pk=their_membership.pk).payment_method_id == theirs.pk
    assert client_for(other_shop).post("/my/club/method/", {"membership": joined.uuid,
                                                            "payment_method": spare.pk}).status_code == 302
