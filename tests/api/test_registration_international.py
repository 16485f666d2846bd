"""Registration by SMS code from outside the mainland: an E.164 number gets its code through
the international route (Aliyun's signature and template approved for it), a malformed or
impossible number is refused with a reason the person typing it can act on, writing and
sending nothing."""
from datetime import date

import pytest
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.customers.models import Customer
from pawpact.messaging.delivery import sms_provider
from pawpact.messaging.sms import SmsFailed, sandbox_inbox, sms_number, sms_reason
from tests.api.test_registration import CONFIRM, NEW, REGISTER, _email_code
from tests.conftest import host_of, sandbox_sms_code
from tests.messaging.providers import fake_sms, sms_credentials  # noqa: F401  (fixtures)

HONG_KONG = "+85291234567"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _counts(shop) -> tuple[int, int]:
    with schema_context(shop.schema_name):
        return User.objects.count(), Customer.objects.count()


def test_an_international_number_registers_with_its_texted_code(shop):
    client = APIClient(HTTP_HOST=host_of(shop))
    before = _counts(shop)
    assert client.post(REGISTER, {**NEW, "phone": HONG_KONG}, format="json").status_code == 202
    sms_code = sandbox_sms_code(host_of(shop), HONG_KONG)
    assert sms_code is not None
    done = client.post(CONFIRM, {"email": NEW["email"], "code": _email_code(), "sms_code": sms_code}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["customer"]["phone"] == HONG_KONG
    assert _counts(shop) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(("phone", "status", "says"), [
    ("+10000000000", 422, "not a valid number for country code +1"),
    ("+44 20", 400, "Enter a mobile number"),
    ("23800138000", 400, "Enter a mobile number"),
    ("+8529123", 400, "Enter a mobile number"),
])  # fmt: skip
def test_malformed_numbers_are_refused_with_a_reason_and_nothing_is_sent(shop, phone, status, says):
    before = _counts(shop)
    answer = APIClient(HTTP_HOST=host_of(shop)).post(REGISTER, {**NEW, "phone": phone}, format="json")
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert set(body) == {"code", "message", "fields"} and says in body["fields"]["phone"][0]
    assert body["code"] == ("phone_not_valid" if status == 422 else "invalid")
    assert _counts(shop) == before and mail.outbox == []
    with schema_context(shop.schema_name):
        assert sandbox_inbox(phone=HONG_KONG) == []


def test_numbers_take_their_route():
    assert (sms_number("+86 138 0013 8000").digits, sms_number("+86 138 0013 8000").mainland) == ("13800138000", True)
    # Eleven digits starting with 1, yet American: only the "+" tells it from a mainland mobile.
    assert (sms_number("+1 202 555 0143").digits, sms_number("+1 202 555 0143").mainland) == ("12025550143", False)
    for bad in ("12025550143x", "+10000000000", ""):
        with pytest.raises(SmsFailed) as failed:
            sms_number(bad)
        assert failed.value.code == "invalid_phone"


def test_aliyun_sends_abroad_with_the_international_template_only(shop, fake_sms):
    fake_sms.template_register("SMS_200000002")
    fake_sms.sign_register("PawpactIntl")
    sms_credentials(shop)
    with schema_context(shop.schema_name):
        with pytest.raises(SmsFailed) as failed:
            sms_provider(livemode=False).send(phone=HONG_KONG, text="code 123456", out_id="reg-1")
        assert failed.value.code == "intl_not_configured" and "international" in sms_reason(failed.value.code)
        assert fake_sms.sent == []
        sms_credentials(shop, intl_sign_name="PawpactIntl", intl_template_code="SMS_200000002")
        sms_provider(livemode=False).send(phone=HONG_KONG, text="code 123456", out_id="reg-2")
        sms_provider(livemode=False).send(phone="13800138000", text="code 654321", out_id="reg-3")
    assert [(s["phone"], s["sign"], s["template"]) for s in fake_sms.sent] == [
        ("85291234567", "PawpactIntl", "SMS_200000002"), ("13800138000", "快乐爪爪", "SMS_100000001")]


def test_an_impossible_number_beside_a_future_birth_date_is_still_a_rule(shop):
    answer = APIClient(HTTP_HOST=host_of(shop)).post(
        REGISTER, {**NEW, "phone": "+867986507", "birth_date": "3054-11-05"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (422, "phone_not_valid")
    assert set(answer.json()["fields"]) == {"phone", "birth_date"}


def test_a_customer_record_refuses_an_impossible_number_by_field(shop):
    from pawpact.customers.errors import PhoneNotValid
    from pawpact.customers.services import customer_create

    with schema_context(shop.schema_name):
        with pytest.raises(PhoneNotValid) as refused:
            customer_create(name="Ana", phone="+351 000 000 000", birth_date=date(1990, 1, 1))
        assert "+351" in refused.value.fields["phone"][0]
        assert Customer.objects.count() == 0
