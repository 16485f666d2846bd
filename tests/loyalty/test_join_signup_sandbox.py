"""In test mode the sign-up page shows the codes the sandbox would have sent (a demo sign-up
needs neither a phone nor the server's log); in live mode it never does. Reopening the page
keeps the half-done registration; "Start again" begins anew."""
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.customers.models import Customer
from pawpact.tenants.models import Shop
from tests.conftest import host_of, sandbox_sms_code
from tests.loyalty.test_join_signup import DETAILS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def test_test_mode_shows_both_codes_and_reopening_keeps_the_registration(shop):
    cache.clear()
    client = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.post("/join/signup/", DETAILS).content.decode()
    sms_code = sandbox_sms_code(host_of(shop), DETAILS["phone"])
    email_code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert "沙箱本应发送" in page and sms_code in page and email_code in page
    reopened = client.get("/join/signup/").content.decode()
    assert 'name="sms_code"' in reopened and sms_code in reopened and email_code in reopened
    done = client.post("/join/signup/", {"step": "codes", "sms_code": sms_code, "code": email_code})
    assert done.status_code == 302
    with schema_context(shop.schema_name):
        assert Customer.objects.filter(phone=DETAILS["phone"]).count() == 1


def test_start_again_forgets_the_half_done_registration(shop):
    cache.clear()
    client = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    client.post("/join/signup/", DETAILS)
    again = client.get("/join/signup/?again=1").content.decode()
    assert 'name="password"' in again and 'name="sms_code"' not in again and "The sandbox would have sent" not in again


def test_live_mode_never_shows_a_code(shop):
    cache.clear()
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    client = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    page = client.post("/join/signup/", DETAILS).content.decode()
    assert 'name="sms_code"' in page and "The sandbox would have sent" not in page
    assert not re.search(r"\b\d{6}\b", page.split("</h1>", 1)[1].split("<form", 1)[0])
