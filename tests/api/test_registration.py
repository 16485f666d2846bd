"""Self-service registration tells nobody whether an email or phone is known: a code goes to a
new address by email and to a new number by SMS, a notice to a known one; both codes are needed,
wrong ones are counted, a number is not flooded, and the sandbox shows test texts to staff."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice, User
from pawpact.accounts.services import api_token_issue
from pawpact.customers.models import Customer, Pet
from pawpact.customers.registration import SMS_PER_DAY
from pawpact.messaging.sms import sandbox_inbox
from pawpact.tenants.enums import ShopMode
from tests.conftest import SHOP_PASSWORD, host_of, sandbox_sms_code

NEW = {"email": "li@example.com", "password": "pawpact-li-2026", "name": "Li Na", "phone": "13800138417",
       "birth_date": "1995-04-01"}  # fmt: skip
KNOWN_PHONE = "13900000001"
REGISTER, CONFIRM = "/api/v1/customers/register", "/api/v1/customers/register/confirm"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _counts(shop) -> tuple[int, int, int, int]:
    with schema_context(shop.schema_name):
        return User.objects.count(), Customer.objects.count(), Pet.objects.count(), ApiDevice.objects.count()


def _existing(shop):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("known@example.com", SHOP_PASSWORD, name="Known")
        Customer.objects.create(name="Known", phone=KNOWN_PHONE, birth_date="1990-01-01", user=user)


def _texts(shop, phone: str) -> list[dict]:
    with schema_context(shop.schema_name):
        return sandbox_inbox(phone=phone)


def _email_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)


def _other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.mark.parametrize(
    "body",
    [NEW, {**NEW, "email": "known@example.com"}, {**NEW, "phone": KNOWN_PHONE}, {**NEW, "email": "KNOWN@example.com"}],
    ids=["new", "known email", "known phone", "known email in capitals"],
)
def test_registration_answers_the_same_whoever_exists(shop, body):
    _existing(shop)
    before = _counts(shop)
    answer = APIClient(HTTP_HOST=host_of(shop)).post(REGISTER, body, format="json")
    assert answer.status_code == 202
    assert answer.json() == {"object": "registration", "email": body["email"], "status": "verification_sent"}
    assert _counts(shop) == before
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [body["email"].lower() if "KNOWN" in body["email"] else body["email"]]
    assert len(_texts(shop, body["phone"])) == 1


def test_a_known_address_and_a_known_number_get_notices_not_codes(shop):
    _existing(shop)
    APIClient(HTTP_HOST=host_of(shop)).post(REGISTER, {**NEW, "email": "known@example.com", "phone": KNOWN_PHONE})
    assert not re.search(r"\b\d{6}\b", mail.outbox[0].subject + mail.outbox[0].body)
    assert "already" in mail.outbox[0].body
    [text] = _texts(shop, KNOWN_PHONE)
    assert not re.search(r"\b\d{6}\b", text["text"]) and "already has an account" in text["text"]


def test_both_codes_create_the_customer_once(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    before = _counts(shop)
    client.post(REGISTER, NEW, format="json")
    code, sms_code = _email_code(), sandbox_sms_code(host_of(shop), NEW["phone"])
    assert sms_code is not None and sms_code in _texts(shop, NEW["phone"])[0]["text"]
    for wrong in ({"code": code, "sms_code": _other(sms_code)}, {"code": _other(code), "sms_code": sms_code}):
        refused = client.post(CONFIRM, {"email": NEW["email"], **wrong}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "verification_code_invalid")
        assert set(refused.json()["fields"]) == {"code", "sms_code"}
        assert _counts(shop) == before
    done = client.post(CONFIRM, {"email": NEW["email"], "code": code, "sms_code": sms_code}, format="json")
    assert done.status_code == 201, done.content
    assert (done.json()["customer"]["name"], done.json()["customer"]["phone"]) == ("Li Na", NEW["phone"])
    assert _counts(shop) == (before[0] + 1, before[1] + 1, before[2], before[3] + 1)
    again = client.post(CONFIRM, {"email": NEW["email"], "code": code, "sms_code": sms_code}, format="json")
    assert again.json()["code"] == "verification_code_invalid"
    assert _counts(shop) == (before[0] + 1, before[1] + 1, before[2], before[3] + 1)


def test_a_taken_phone_is_refused_exactly_like_a_wrong_code(shop):
    """Whoever owns the email but not the number learns nothing: the refusal is the one a
    mistyped code on a free number gets."""
    _existing(shop)
    client = APIClient(HTTP_HOST=host_of(shop))
    before = _counts(shop)
    client.post(REGISTER, {**NEW, "phone": KNOWN_PHONE}, format="json")
    taken = client.post(CONFIRM, {"email": NEW["email"], "code": _email_code(), "sms_code": "123456"}, format="json")
    cache.clear()
    client.post(REGISTER, NEW, format="json")
    free = client.post(CONFIRM, {"email": NEW["email"], "code": _email_code(), "sms_code": _other(
        sandbox_sms_code(host_of(shop), NEW["phone"]))}, format="json")  # fmt: skip
    assert (taken.status_code, taken.json()) == (free.status_code, free.json())
    assert taken.json()["code"] == "verification_code_invalid"
    assert _counts(shop) == before


def test_five_wrong_codes_drop_the_registration(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    before = _counts(shop)
    client.post(REGISTER, NEW, format="json")
    code, sms_code = _email_code(), sandbox_sms_code(host_of(shop), NEW["phone"])
    for _ in range(5):
        client.post(CONFIRM, {"email": NEW["email"], "code": code, "sms_code": _other(sms_code)}, format="json")
    late = client.post(CONFIRM, {"email": NEW["email"], "code": code, "sms_code": sms_code}, format="json")
    assert late.json()["code"] == "verification_code_invalid"
    assert _counts(shop) == before


def test_a_number_gets_one_text_a_minute_and_five_a_day(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert client.post(REGISTER, NEW, format="json").status_code == 202
        first = sandbox_sms_code(host_of(shop), NEW["phone"])
        code = _email_code()
        # Within the minute, however the number is written: the same answer, nothing sent.
        again = client.post(REGISTER, {**NEW, "phone": "+86" + NEW["phone"]}, format="json")
        assert again.status_code == 202 and len(_texts(shop, NEW["phone"])) == 1 and len(mail.outbox) == 1
        done = client.post(CONFIRM, {"email": NEW["email"], "code": code, "sms_code": first}, format="json")
        assert done.status_code == 201  # the first codes still work
        for _ in range(SMS_PER_DAY):
            traveller.shift(timedelta(minutes=2))
            assert client.post(REGISTER, {**NEW, "email": "other@example.com"}, format="json").status_code == 202
    assert len(_texts(shop, NEW["phone"])) == SMS_PER_DAY


def test_a_registration_at_one_shop_is_not_confirmed_at_another(shop, other_shop):
    before = _counts(other_shop)
    APIClient(HTTP_HOST=host_of(shop)).post(REGISTER, NEW, format="json")
    code, sms_code = _email_code(), sandbox_sms_code(host_of(shop), NEW["phone"])
    elsewhere = APIClient(HTTP_HOST=host_of(other_shop)).post(
        CONFIRM, {"email": NEW["email"], "code": code, "sms_code": sms_code}, format="json"
    )
    assert elsewhere.json()["code"] == "verification_code_invalid"
    assert _counts(other_shop) == before


def test_staff_read_the_sandbox_texts_of_their_own_shop_only(shop, other_shop, shop_staff):
    APIClient(HTTP_HOST=host_of(shop)).post(REGISTER, NEW, format="json")
    staff = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    [text] = staff.get("/api/v1/sandbox/sms", {"phone": "+86" + NEW["phone"]}).json()["results"]
    assert (text["object"], text["phone"]) == ("sandbox_sms", NEW["phone"])
    assert sandbox_sms_code(host_of(shop), NEW["phone"]) in text["text"]
    with schema_context(other_shop.schema_name):
        other_staff = User.objects.create_user("staff@beta.test", SHOP_PASSWORD, is_staff=True)
        token = api_token_issue(user=other_staff)
    elsewhere = APIClient(HTTP_HOST=host_of(other_shop), HTTP_AUTHORIZATION="Token " + token)
    assert elsewhere.get("/api/v1/sandbox/sms", {"phone": NEW["phone"]}).json()["results"] == []
    assert APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/sandbox/sms", {"phone": NEW["phone"]}).status_code == 401
    bad = staff.get("/api/v1/sandbox/sms", {"phone": "12345"})
    assert (bad.status_code, bad.json()["code"], list(bad.json()["fields"])) == (400, "invalid", ["phone"])


def test_live_mode_has_no_sandbox_texts(shop, shop_staff):
    shop.mode = ShopMode.LIVE
    shop.save(update_fields=["mode"])
    staff = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    answer = staff.get("/api/v1/sandbox/sms", {"phone": NEW["phone"]})
    assert (answer.status_code, answer.json()["code"]) == (422, "sandbox_in_live_mode")
