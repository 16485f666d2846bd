"""Every way to sign in, and a refresh, answers one object (2026-12-15): `object: "token"`, the
token pair, `device_id`, the signed-in `customer` (null for staff) and `registered`, true only
on the sign-in that created the customer. Clients of 2026-12-01 keep each path's own answer."""
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.version_shapes import to_2026_12_01
from pawpact.customers.models import Customer
from tests.conftest import SHOP_PASSWORD, host_of, sandbox_sms_code

PAIR = {"token", "token_expires_at", "refresh_token", "refresh_expires_at", "device_id"}
FIELDS = {"object", *PAIR, "customer", "registered"}
PASSWORD = "pawpact-li-2026"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _post(client, path: str, body: dict, status: int = 200):
    answer = client.post(path, body, format="json")
    assert answer.status_code == status, (path, answer.content)
    return answer


def _sign_ins(shop, staff, version: str, phone_tail: str) -> dict[str, object]:
    """Each way in, as `version` answers it: path → answer."""
    client = APIClient(HTTP_HOST=host_of(shop), HTTP_PAWPACT_VERSION=version)
    email, phone = f"li{phone_tail}@example.com", "138001384" + phone_tail
    _post(client, "/api/v1/customers/register", {"email": email, "password": PASSWORD, "name": "Li Na",
                                                  "phone": phone, "birth_date": "1995-04-01"}, 202)  # fmt: skip
    email_code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    answers = {"register": _post(client, "/api/v1/customers/register/confirm", {
        "email": email, "code": email_code, "sms_code": sandbox_sms_code(host_of(shop), phone)}, 201)}  # fmt: skip
    answers["password"] = _post(client, "/api/v1/auth/token", {"email": email, "password": PASSWORD})
    answers["staff"] = _post(client, "/api/v1/auth/token", {"email": staff.email, "password": SHOP_PASSWORD})
    answers["refresh"] = _post(client, "/api/v1/auth/refresh", {"refresh_token": answers["staff"].json()["refresh_token"]})
    linking = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token " + answers["password"].json()["token"])
    assert linking.post("/api/v1/auth/wechat/link", {"code": f"wx_test_li{phone_tail}.1"}).status_code == 204
    answers["wechat"] = _post(client, "/api/v1/auth/wechat", {"code": f"wx_test_li{phone_tail}.2"})
    new_phone = "139001384" + phone_tail
    _post(client, "/api/v1/auth/sms/code", {"phone": new_phone}, 202)
    code = sandbox_sms_code(host_of(shop), new_phone)
    answers["phone_new"] = _post(client, "/api/v1/auth/sms", {"phone": new_phone, "code": code, "name": "Zhao Lei",
                                                               "birth_date": "1992-08-08"}, 201)  # fmt: skip
    cache.clear()  # the next minute: another text may go out
    _post(client, "/api/v1/auth/sms/code", {"phone": new_phone}, 202)
    code = sandbox_sms_code(host_of(shop), new_phone)
    answers["phone_again"] = _post(client, "/api/v1/auth/sms", {"phone": new_phone, "code": code})
    for answer in answers.values():
        assert (answer["Pawpact-Version"], answer["Cache-Control"]) == (version, "no-store")
    return {path: answer.json() for path, answer in answers.items()}


def _uuid_of(shop, phone: str) -> str:
    with schema_context(shop.schema_name):
        return str(Customer.objects.get(phone=phone).uuid)


def test_every_sign_in_answers_the_same_token_object(shop, shop_staff):
    answers = _sign_ins(shop, shop_staff, "2026-12-15", "51")
    for path, body in answers.items():
        assert (set(body), body["object"]) == (FIELDS, "token"), path
    li, zhao = _uuid_of(shop, "13800138451"), _uuid_of(shop, "13900138451")
    customers = {path: body["customer"] and body["customer"]["uuid"] for path, body in answers.items()}
    assert customers == {"register": li, "password": li, "staff": None, "refresh": None, "wechat": li,
                         "phone_new": zhao, "phone_again": zhao}  # fmt: skip
    assert answers["register"]["customer"]["object"] == "customer"
    assert answers["phone_new"]["customer"]["phone"] == "13900138451"
    registered = {path for path, body in answers.items() if body["registered"] is True}
    assert registered == {"register", "phone_new"}
    assert all(body["registered"] is False for path, body in answers.items() if path not in registered)
    assert answers["refresh"]["device_id"] == answers["staff"]["device_id"]


def test_clients_of_2026_12_01_keep_each_sign_ins_own_answer(shop, shop_staff):
    answers = _sign_ins(shop, shop_staff, "2026-12-01", "52")
    shapes = {path: (body["object"], set(body)) for path, body in answers.items()}
    token = ("token", {"object", *PAIR})
    phone = ("phone_sign_in", {"object", *PAIR, "customer", "created"})
    assert shapes == {"register": ("customer_registered", {"object", *PAIR, "customer"}), "password": token,
                      "staff": token, "refresh": token, "wechat": token, "phone_new": phone, "phone_again": phone}  # fmt: skip
    assert (answers["phone_new"]["created"], answers["phone_again"]["created"]) == (True, False)
    assert answers["register"]["customer"]["uuid"] == _uuid_of(shop, "13800138452")


def test_the_transform_gives_2026_12_01_its_exact_answers():
    pair = {"token": "a", "token_expires_at": "t1", "refresh_token": "r", "refresh_expires_at": "t2", "device_id": "d"}
    customer = {"object": "customer", "uuid": "u"}
    latest = {"object": "token", **pair, "customer": customer, "registered": True}
    assert to_2026_12_01(latest, one_page=False, sign_in_answered_as="token") == {"object": "token", **pair}
    assert to_2026_12_01(latest, one_page=False, sign_in_answered_as="phone_sign_in") == {
        "object": "phone_sign_in", **pair, "customer": customer, "created": True}  # fmt: skip
    assert to_2026_12_01(latest, one_page=False, sign_in_answered_as="customer_registered") == {
        "object": "customer_registered", "customer": customer, **pair}  # fmt: skip
