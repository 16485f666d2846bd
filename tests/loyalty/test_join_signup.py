"""The newcomer's sign-up page: bad details and wrong codes are shown on the form and write
nothing; the customer exists in this shop only, and another shop's referral code is unknown here."""
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.customers.models import Customer
from pawpact.loyalty import referrals
from pawpact.loyalty.wallet_models import Referral
from tests.conftest import host_of, sandbox_sms_code
from tests.loyalty.conftest import member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("traveller")]
DETAILS = {"step": "details", "name": "Wang Fang", "phone": "13612345001", "birth_date": "1994-06-01",
           "email": "wang.fang@example.com", "password": "pawpact-wang-2026"}  # fmt: skip


def counts(shop) -> tuple[int, int, int]:
    with schema_context(shop.schema_name):
        return User.objects.count(), Customer.objects.count(), Referral.objects.count()


def test_bad_details_and_wrong_codes_write_nothing(shop):
    cache.clear()
    client = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    before = counts(shop)
    bad = client.post("/join/signup/", {**DETAILS, "birth_date": "2090-01-01", "email": "nope"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.content.decode()
    assert client.post("/join/signup/", DETAILS).status_code == 200
    wrong = client.post("/join/signup/", {"step": "codes", "sms_code": "000000", "code": "000000"})
    assert wrong.status_code == 400 and "These codes are wrong or expired." in wrong.content.decode()
    assert counts(shop) == before


def test_another_shops_code_is_unknown_here_and_the_account_stays_in_this_shop(shop, other_shop):
    cache.clear()
    with schema_context(other_shop.schema_name):
        foreign = referrals.code_for(customer=member()).code
    client = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    client.get(f"/join/{foreign}/")
    assert client.post("/join/signup/", DETAILS).status_code == 200
    codes = {"step": "codes", "code": re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1),
             "sms_code": sandbox_sms_code(host_of(shop), DETAILS["phone"])}  # fmt: skip
    done = client.post("/join/signup/", codes, follow=True)
    assert done.redirect_chain[-1][0] == "/my/referral/"
    assert "This referral code is not known here." in done.content.decode()
    with schema_context(shop.schema_name):
        assert Customer.objects.filter(phone=DETAILS["phone"]).count() == 1 and Referral.objects.count() == 0
    with schema_context(other_shop.schema_name):
        assert not Customer.objects.filter(phone=DETAILS["phone"]).exists()
        assert not User.objects.filter(email=DETAILS["email"]).exists()
