"""The owner's billing page on the shop's domain, invoice PDFs, and the platform console's list."""
from datetime import date

from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.platform.models import SaasInvoice, ShopSubscription
from pawpact.platform.saas.services import subscription_payment_method_set, subscription_start
from pawpact.platform.tasks import saas_billing_run_task
from tests.conftest import SHOP_PASSWORD, host_of
from tests.platform.saas.conftest import owner_browser, snapshot, staff_browser, travel


def _paid_invoice(shop) -> SaasInvoice:
    subscription_payment_method_set(shop=shop, rail="sandbox", token="tok_success")
    with travel(2026, 3, 15):
        saas_billing_run_task()
    return SaasInvoice.objects.get(shop=shop)


def test_the_page_shows_plan_status_trial_end_and_next_invoice(subscribed, shop):
    with travel(2026, 3, 2):
        html = owner_browser(shop).get("/billing/saas/").content.decode()
    expected_texts = (
        "Starter", "up to 200 active contracts", "Free trial", "2026-03-15", "¥199.00", "No invoices yet.",
    )  # fmt: skip
    for expected in expected_texts:
        assert expected in html, expected


def test_the_page_lists_invoices_with_their_pdf(subscribed, shop):
    invoice = _paid_invoice(shop)
    office = owner_browser(shop)
    html = office.get("/billing/saas/").content.decode()
    assert invoice.number in html and "Paid" in html and f"/billing/saas/invoices/{invoice.number}.pdf" in html
    pdf = office.get(f"/billing/saas/invoices/{invoice.number}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content
    assert f"Pawpact invoice {invoice.number}".encode() in pdf.content  # the document's title


def test_another_shops_invoice_is_not_found(subscribed, shop, other_shop):
    invoice = _paid_invoice(shop)
    other_owner = owner_browser(other_shop)
    assert other_owner.get(f"/billing/saas/invoices/{invoice.number}.pdf").status_code == 404
    assert invoice.number not in other_owner.get("/billing/saas/").content.decode()


def test_only_the_shops_staff_get_the_page_and_the_pdf(subscribed, shop):
    invoice = _paid_invoice(shop)
    anonymous = Client(HTTP_HOST=host_of(shop))
    for path in ("/billing/saas/", f"/billing/saas/invoices/{invoice.number}.pdf"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    with schema_context(shop.schema_name):
        customer = User.objects.create_user("adopter@alpha.test", SHOP_PASSWORD, name="Adopter")
    response = staff_browser(shop, customer).get(f"/billing/saas/invoices/{invoice.number}.pdf")
    assert response.status_code == 403  # a customer is not staff: refused, not sent to log in again
    assert Client(HTTP_HOST="localhost").get("/billing/saas/").status_code == 404  # not on the public site


def test_an_invalid_token_or_rail_on_the_page_is_refused_and_writes_nothing(subscribed, shop):
    office = owner_browser(shop)
    before = snapshot(shop.pk)
    response = office.post("/billing/saas/payment-method/", {"rail": "sandbox", "token": "tok_bogus"})
    assert response.status_code == 422  # well formed, but the rail refuses the token
    assert "This is not a sandbox payment token." in response.content.decode()
    response = office.post("/billing/saas/payment-method/", {"rail": "paypal", "token": "tok_success"})
    assert response.status_code == 400
    assert snapshot(shop.pk) == before


def test_pay_now_with_nothing_to_pay_says_so(subscribed, shop):
    office = owner_browser(shop)
    response = office.post("/billing/saas/pay/", follow=True)
    assert "There is nothing to pay." in response.content.decode()


def test_a_shop_without_subscription_is_told_it_has_every_feature(shop):
    html = owner_browser(shop).get("/billing/saas/").content.decode()
    assert "no subscription" in html


def test_the_console_lists_subscriptions_for_platform_admins_only(subscribed, shop, other_shop, public_client):
    with travel(2026, 3, 2):
        subscription_start(shop=other_shop, plan_code="growth")
    assert public_client.get("/console/subscriptions/").status_code == 302
    owner = Client(HTTP_HOST="localhost")
    owner.force_login(shop.owner)
    assert owner.get("/console/subscriptions/").status_code == 403

    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    response = public_client.get("/console/subscriptions/")
    assert response.status_code == 200
    assert [sub.shop.slug for sub, _label, _price in response.context["rows"]] == ["beta", "alpha"]
    html = response.content.decode()
    expected_texts = (
        "Alpha Pets", "Beta Pets", "Starter · ¥199.00", "Growth · ¥499.00", "Free trial", "2026-03-15",
    )  # fmt: skip
    for expected in expected_texts:
        assert expected in html, expected
    ShopSubscription.objects.filter(shop=shop).update(status="read_only", grace_until=date(2026, 3, 22))
    filtered = public_client.get("/console/subscriptions/?status=read_only")
    assert [sub.shop.slug for sub, _label, _price in filtered.context["rows"]] == ["alpha"]
    assert Client(HTTP_HOST=host_of(shop)).get("/console/subscriptions/").status_code == 404


def test_the_owner_picks_a_sandbox_test_card_by_what_it_does(subscribed, shop):
    office = owner_browser(shop)
    page = office.get("/billing/saas/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Test card that pays" in page and 'value="tok_insufficient_funds"' in page
    before = snapshot(shop.pk)
    refused = office.post("/billing/saas/payment-method/", {"rail": "sandbox"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Choose a card." in refused.content.decode()
    assert snapshot(shop.pk) == before

    saved = office.post("/billing/saas/payment-method/", {"rail": "sandbox", "card": "tok_insufficient_funds"})

    assert saved.status_code == 302
    subscription = ShopSubscription.objects.get(shop_id=shop.pk)
    assert (subscription.payment_rail, subscription.payment_token) == ("sandbox", "tok_insufficient_funds")
