"""A device's name read from its User-Agent when the frontend names none, and a sign-in
with a User-Agent only is listed by that name (another shop's host lists nothing of it)."""
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from pawpact.api.user_agent import device_name
from tests.conftest import SHOP_PASSWORD, host_of

IPHONE_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN")
ANDROID_MINI_PROGRAM = (
    "Mozilla/5.0 (Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/5235 MMWEBSDK/20230805 MMWEBID/5090 "
    "MicroMessenger/8.0.42.2460(0x28002A35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 miniProgram"
)
WINDOWS_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36")


@pytest.mark.parametrize(("user_agent", "name"), [
    (IPHONE_WECHAT, "iPhone · WeChat 8.0"),
    (ANDROID_MINI_PROGRAM, "Android · WeChat 8.0"),
    (WINDOWS_CHROME, "Chrome on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
     "Safari/605.1.15", "Safari on Mac OS X"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
     "Safari/537.36", "Pixel 8 · Chrome Mobile"),
    ("curl/8.5.0", "curl"),
    ("", ""),
    ("x" * 5000, ""),
])  # fmt: skip
def test_names_from_user_agents(user_agent, name):
    assert device_name("", user_agent) == name


def test_a_given_name_wins_and_nothing_known_falls_back():
    assert device_name("Front desk iPad", IPHONE_WECHAT) == "Front desk iPad"
    assert device_name("", "", fallback="WeChat") == "WeChat"


def test_a_sign_in_without_a_name_is_listed_by_its_user_agent(shop, other_shop, shop_staff):
    cache.clear()
    client = APIClient(HTTP_HOST=host_of(shop), HTTP_USER_AGENT=IPHONE_WECHAT)
    body = {"email": shop_staff.email, "password": SHOP_PASSWORD}
    token = client.post("/api/v1/auth/token", body, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    names = [device["name"] for device in client.get("/api/v1/auth/devices").json()["results"]]
    assert "iPhone · WeChat 8.0" in names
    other = APIClient(HTTP_HOST=host_of(other_shop), HTTP_AUTHORIZATION="Token " + token)
    assert other.get("/api/v1/auth/devices").status_code == 401
