"""Phone-first sign-in: a texted code alone registers a new number (with a name and a date of
birth), signs a known customer in (a counter customer gets a login on first use), works once,
is dropped after five wrong tries, counts toward allauth's lockout like a wrong password, and
belongs to the shop that sent it."""
import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import ApiDevice, User
from pawpact.customers.models import Customer
from pawpact.customers.registration import SMS_GAP_SECONDS, SMS_PER_DAY
from pawpact.customers.services import customer_create
from tests.conftest import api_register, host_of, sandbox_sms_code

PHONE = "13800000077"
LOCKOUT = {"login_failed": "100/m/ip,3/300s/key"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _code(client, phone: str = PHONE) -> str:
    answer = client.post("/api/v1/auth/sms/code", {"phone": phone}, format="json")
    assert (answer.status_code, answer.json()) == (202, {"object": "phone_code", "status": "sent"})
    return sandbox_sms_code(client.defaults["HTTP_HOST"], phone)


def _counts(shop) -> tuple[int, int, int]:
    """Customers, logins other than the shop's staff, devices."""
    with schema_context(shop.schema_name):
        return Customer.objects.count(), User.objects.filter(customer__isnull=False).count(), ApiDevice.objects.count()


def test_a_new_number_registers_with_its_code_alone(shop):
    client = APIClient(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    code = _code(client)
    missing = client.post("/api/v1/auth/sms", {"phone": PHONE, "code": code}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (422, "registration_details_required")
    assert set(missing.json()["fields"]) == {"name", "birth_date"}
    assert _counts(shop) == (0, 0, 0)
    body = {"phone": PHONE, "code": code, "name": "Zhao Lei", "birth_date": "1990-05-05"}
    signed = client.post("/api/v1/auth/sms", body, format="json")
    assert signed.status_code == 201, signed.content
    assert (signed.json()["registered"], signed.json()["customer"]["phone"]) == (True, PHONE)
    assert (signed.json()["customer"]["email"], signed.json()["customer"]["language"]) == ("", "en")
    assert signed["Cache-Control"] == "no-store"
    assert _counts(shop) == (1, 1, 1)
    client.credentials(HTTP_AUTHORIZATION="Token " + signed.json()["token"])
    me = client.get("/api/v1/me").json()
    assert (me["email"], me["phone"], me["customer_uuid"]) == ("", PHONE, signed.json()["customer"]["uuid"])
    client.credentials()
    again = client.post("/api/v1/auth/sms", body, format="json")  # the code worked once
    assert (again.status_code, again.json()["code"]) == (422, "verification_code_invalid")
    assert _counts(shop) == (1, 1, 1)


def test_a_counter_customer_gets_a_login_and_signs_in_again_later(shop):
    with schema_context(shop.schema_name):
        from datetime import date

        counter = customer_create(name="Wang Fang", phone=PHONE, birth_date=date(1988, 1, 2))
    client = APIClient(HTTP_HOST=host_of(shop))
    first = client.post("/api/v1/auth/sms", {"phone": PHONE, "code": _code(client)}, format="json")
    assert (first.status_code, first.json()["registered"]) == (200, False)
    assert first.json()["customer"]["uuid"] == str(counter.uuid)
    with schema_context(shop.schema_name):
        user_id = Customer.objects.get(pk=counter.pk).user_id
        assert user_id is not None and not User.objects.get(pk=user_id).has_usable_password()
    cache.clear()  # the next minute: another text may go out
    second = client.post("/api/v1/auth/sms", {"phone": PHONE, "code": _code(client)}, format="json")
    assert second.status_code == 200
    with schema_context(shop.schema_name):
        assert ApiDevice.objects.filter(user_id=user_id).count() == 2
        assert Customer.objects.count() == 1


def test_asking_answers_the_same_and_texts_a_number_once_a_minute(shop):
    with schema_context(shop.schema_name):
        from datetime import date

        customer_create(name="Wang Fang", phone="13800000078", birth_date=date(1988, 1, 2))
    client = APIClient(HTTP_HOST=host_of(shop))
    _code(client, "13800000078")
    _code(client)
    first = sandbox_sms_code(host_of(shop), PHONE)
    assert _code(client) == first  # a second ask within the minute sent nothing new
    bad = client.post("/api/v1/auth/sms/code", {"phone": "12345"}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["phone"])


def _texts(shop, phone: str = PHONE) -> int:
    from pawpact.messaging.sms import sandbox_inbox

    with schema_context(shop.schema_name):
        return len(sandbox_inbox(phone=phone))


def test_a_sign_in_code_follows_a_registration_text_at_once_and_is_still_limited(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    body = {"email": "li@example.com", "password": "pawpact-li-2026", "name": "Li Na", "phone": PHONE,
            "birth_date": "1995-04-01"}  # fmt: skip
    assert api_register(client, body).status_code == 201
    assert _texts(shop) == 1
    registration_code = sandbox_sms_code(host_of(shop), PHONE)
    refused = client.post("/api/v1/auth/sms", {"phone": PHONE, "code": registration_code}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (422, "verification_code_invalid")
    assert _counts(shop) == (1, 1, 1)  # the registration's device only
    code = _code(client)  # within the registration text's minute
    assert _texts(shop) == 2
    signed = client.post("/api/v1/auth/sms", {"phone": PHONE, "code": code}, format="json")
    assert (signed.status_code, signed.json()["registered"]) == (200, False)
    assert _code(client) == code  # a second ask within the minute: the same 202, no text
    assert _texts(shop) == 2
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(SMS_PER_DAY - 1):  # the rest of the day's sign-in texts, a minute apart
            traveller.shift(SMS_GAP_SECONDS + 1)
            _code(client)
        assert _texts(shop) == 1 + SMS_PER_DAY
        traveller.shift(SMS_GAP_SECONDS + 1)
        _code(client)  # over the day's limit: the same 202, no text
        assert _texts(shop) == 1 + SMS_PER_DAY
    assert _counts(shop) == (1, 1, 2)


def test_five_wrong_codes_drop_the_code(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    code = _code(client)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    body = {"phone": PHONE, "name": "Zhao Lei", "birth_date": "1990-05-05"}
    answers = [client.post("/api/v1/auth/sms", {**body, "code": wrong}, format="json").status_code for _ in range(5)]
    assert answers == [422] * 5
    late = client.post("/api/v1/auth/sms", {**body, "code": code}, format="json")
    assert (late.status_code, late.json()["code"]) == (422, "verification_code_invalid")
    assert _counts(shop) == (0, 0, 0)


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_wrong_codes_lock_the_number_like_wrong_passwords(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    code = _code(client)
    body = {"phone": PHONE, "name": "Zhao Lei", "birth_date": "1990-05-05"}
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert [client.post("/api/v1/auth/sms", {**body, "code": wrong}, format="json").status_code
            for _ in range(3)] == [422, 422, 422]  # fmt: skip
    locked = client.post("/api/v1/auth/sms", {**body, "code": code}, format="json")
    assert (locked.status_code, locked.json()["code"], locked["Retry-After"]) == (429, "throttled", "300")
    assert _counts(shop) == (0, 0, 0)


def test_a_code_belongs_to_the_shop_that_sent_it(shop, other_shop):
    with schema_context(other_shop.schema_name):
        from datetime import date

        customer_create(name="Other", phone=PHONE, birth_date=date(1988, 1, 2))
    code = _code(APIClient(HTTP_HOST=host_of(shop)))
    other = APIClient(HTTP_HOST=host_of(other_shop))
    refused = other.post("/api/v1/auth/sms", {"phone": PHONE, "code": code}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (422, "verification_code_invalid")
    assert _counts(other_shop) == (1, 0, 0)


def test_a_number_no_carrier_can_have_is_a_422_and_writes_nothing(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    refused = client.post("/api/v1/auth/sms/code", {"phone": "+10000000000"}, format="json")
    assert (refused.status_code, refused.json()["code"], list(refused.json()["fields"])) == (
        422, "phone_not_valid", ["phone"])  # fmt: skip
    signed = client.post("/api/v1/auth/sms", {"phone": "+10000000000", "code": "123456"}, format="json")
    assert (signed.status_code, signed.json()["code"]) == (422, "phone_not_valid")
    assert _counts(shop) == (0, 0, 0)
