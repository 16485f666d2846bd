"""The fake WeChat signing page sends the phone back to the shop's page after signing, as the
real H5 signing does with return_web=1 (to the page that opened it, marked from_wxpay=1)."""

import urllib.error
import urllib.request

import pytest
from django_tenants.utils import schema_context

from pawpact.sandbox.gateways.base import local_request
from tests.payments.gateways import fake_alipay, fake_wechat, wechat_credentials  # noqa: F401
from tests.workspace.test_signing_agreements import MORNING, PHONE, _signed, served  # noqa: F401

pytestmark = pytest.mark.django_db


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(request):
    try:
        return urllib.request.build_opener(_NoRedirect).open(request, timeout=20)
    except urllib.error.HTTPError as error:
        return error


def _start(shop, owner_client, adopter, fake_wechat, time_machine):
    time_machine.move_to(MORNING)
    with schema_context(shop.schema_name):
        wechat_credentials(shop, fake_wechat)
    _contract, link, phone = _signed(shop, owner_client, adopter)
    response = phone.post(f"/sign/{link.token}/", {"action": "agreement", "rail": "wechat"}, HTTP_USER_AGENT=PHONE)
    assert response.status_code == 302 and response["Location"].startswith(fake_wechat.url)
    # Django's same-origin default would strip the Referer the provider returns to.
    assert response["Referrer-Policy"] == "no-referrer-when-downgrade"
    return link, response["Location"]


def test_after_signing_the_phone_returns_to_the_shops_signing_page(
    shop,
    owner_client,
    adopter,
    fake_wechat,
    served,
    time_machine,  # noqa: F811
):
    link, url = _start(shop, owner_client, adopter, fake_wechat, time_machine)
    back = f"http://{shop.slug}.localhost/sign/{link.token}/"
    page = _open(local_request(url, headers={"Referer": back})).read().decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    answer = _open(local_request(url, data=b"agree=1"))
    assert answer.status == 302 and answer.headers["Location"] == f"{back}?from_wxpay=1"
    assert len(fake_wechat.contracts) == 1
    again = _open(local_request(url, data=b"agree=1"))  # signed once only
    assert again.status == 404 and len(fake_wechat.contracts) == 1


def test_without_a_referer_the_signed_page_fits_a_phone_and_links_back(
    shop,
    owner_client,
    adopter,
    fake_wechat,
    served,
    time_machine,  # noqa: F811
):
    _link, url = _start(shop, owner_client, adopter, fake_wechat, time_machine)
    _open(local_request(url)).read()
    answer = _open(local_request(url, data=b"agree=1"))
    page = answer.read().decode()
    assert answer.status == 200 and "签约成功 / Signed." in page
    assert 'name="viewport"' in page and "返回商户 / Back to the shop" in page
    assert len(fake_wechat.contracts) == 1
