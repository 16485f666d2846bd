"""A friend's invitation in chromium at 390 px: the newcomer opens the link, signs up as this
shop's customer with the codes sent by SMS and email, and the code comes along; their first
plan then takes ¥200 off the deposit and gives the referrer 1,000 points and ¥50 off the next
debit. The allauth sign-up on a shop's host explains where customers sign up, in both languages."""
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.billing.models import DebitPeriod, Journal
from pawpact.customers.models import Customer
from pawpact.loyalty import referrals
from pawpact.loyalty.models import Membership
from pawpact.loyalty.wallet_models import Referral, ReferralStatus
from tests.billing.lifecycle.termination.helpers import LOW, adopt, plan_version
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of, sandbox_sms_code

pytestmark = [*browser_marks, pytest.mark.django_db, pytest.mark.usefixtures("traveller")]
PHONE = f"13612345{LOW}"


def test_a_referred_friend_signs_up_from_the_link_and_both_get_the_rewards(shop, monkeypatch, tmp_path):
    cache.clear()
    with schema_context(shop.schema_name):
        referrer_contract = adopt()
        code = referrals.code_for(customer=referrer_contract.customer).code
        second_debit = list(DebitPeriod.objects.filter(contract=referrer_contract).order_by("number")
                            .values_list("amount_minor", flat=True))[1]  # fmt: skip
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "django_language", "value": "en", "url": base + "/"}])
        page = context.new_page()
        page.goto(f"{base}/join/{code}/")
        page.click("a:has-text('Sign up')")
        assert code in page.inner_text("main")
        page.fill("input[name=name]", "Wang Fang")
        page.fill("input[name=phone]", PHONE)
        page.fill("input[name=birth_date]", "1994-06-01")
        page.fill("input[name=email]", "wang.fang@example.com")
        page.fill("input[name=password]", "pawpact-wang-2026")
        page.click("button:has-text('Send the codes')")
        page.wait_for_selector("input[name=sms_code]")
        with server.db():
            sms_code = sandbox_sms_code(host_of(shop), PHONE)
        email_code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
        page.fill("input[name=sms_code]", sms_code)
        page.fill("input[name=code]", email_code)
        page.click("button:has-text('Finish signing up')")
        page.wait_for_url(f"{base}/my/referral/")
        assert f"You came with the code {code}" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, tmp_path, "referral-signed-up-390.png")

        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # a visitor
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base + "/"}])
        page.goto(f"{base}/accounts/signup/")
        page.click("a:has-text('Sign up as a customer')")
        assert page.url == f"{base}/join/signup/"
        page.goto(f"{base}/accounts/signup/")
        assert "Sign up as a customer" in page.inner_text("body")
        assert "closed" not in page.inner_text("body").lower()
        page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base + "/"}])
        page.goto(f"{base}/accounts/signup/")
        assert "注册" in page.inner_text("body") and "Sign" not in page.inner_text("body")

        with server.db(), schema_context(shop.schema_name):
            newcomer = Customer.objects.get(phone=PHONE)
            assert newcomer.user.email == "wang.fang@example.com"
            contract = adopt(customer=newcomer)
            assert contract.deposit_minor == plan_version().deposit_minor - 20_000
            referral = Referral.objects.get(referred=newcomer)
            assert (referral.status, referral.referrer_points, referral.referrer_credit_minor) == (
                ReferralStatus.CONVERTED, 1_000, 5_000)
            assert Membership.objects.get(customer=referrer_contract.customer).points_balance == 100 + 1_000
            periods = DebitPeriod.objects.filter(contract=referrer_contract).order_by("number")
            assert list(periods.values_list("amount_minor", flat=True))[1] == second_debit - 5_000
            assert Journal.objects.filter(idempotency_key=f"referral.credit:{referral.uuid}").count() == 1
