"""Settings → Developers: the owner makes, rolls and revokes secret keys on a page in both
languages; a new key is shown once on the answer that made it; others may not open it; a
key of another shop is not found."""
import re

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from pawpact.accounts.api_keys import api_key_create
from pawpact.accounts.models import ApiKey, User
from pawpact.workspace.enums import Role
from tests.workspace.conftest import client_for, staff_user

URL = "/manage/settings/developers/"
SECRET = re.compile(r"sk_test_[A-Za-z0-9]{40}")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _working(shop) -> list[str]:
    with schema_context(shop.schema_name):
        return list(ApiKey.objects.filter(revoked_at__isnull=True).order_by("id").values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading", "create"), [("en", "Secret API keys", "Create secret key"),
                                                            ("zh-hans", "API 密钥", "创建密钥")])  # fmt: skip
def test_the_owner_makes_a_key_and_sees_it_once(shop, language, heading, create):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    empty = owner.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert empty.status_code == 200 and heading in empty.content.decode() and create in empty.content.decode()
    made = owner.post(URL, {"action": "create", "name": "ERP"}, HTTP_ACCEPT_LANGUAGE=language)
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    secret = SECRET.search(made.content.decode()).group(0)
    again = owner.get(URL).content.decode()
    assert secret not in again and f"sk_test_…{secret[-4:]}" in again and "ERP" in again
    assert _working(shop) == ["ERP"]


@pytest.mark.django_db
def test_the_owner_rolls_and_revokes_on_the_page(shop):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    with schema_context(shop.schema_name):
        issued = api_key_create(user=User.objects.get(email=shop.owner.email), name="CRM", livemode=False)
    rolled = owner.post(URL, {"action": "roll", "key": str(issued.key.uuid)})
    new_secret = SECRET.search(rolled.content.decode()).group(0)
    assert new_secret != issued.secret
    with schema_context(shop.schema_name):
        current = ApiKey.objects.get(revoked_at__isnull=True)
    assert current.last4 == new_secret[-4:] and current.name == "CRM"
    assert owner.post(URL, {"action": "revoke", "key": str(current.uuid)}).status_code == 200
    assert _working(shop) == []
    assert owner.post(URL, {"action": "revoke", "key": "not-a-uuid"}).status_code == 404


@pytest.mark.django_db
def test_a_blank_name_is_a_form_error_and_makes_nothing(shop):
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    page = owner.post(URL, {"action": "create", "name": "  "})
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()
    assert SECRET.search(page.content.decode()) is None and _working(shop) == []


@pytest.mark.django_db
def test_only_the_owner_opens_it_and_another_shop_s_key_is_not_found(shop, other_shop):
    for role in (Role.MANAGER, Role.CLERK):
        member = client_for(shop, staff_user(shop, role))
        assert member.get(URL).status_code == 403
        assert member.post(URL, {"action": "create", "name": "x"}).status_code == 403
    assert _working(shop) == []
    with schema_context(other_shop.schema_name):
        theirs = api_key_create(user=User.objects.get(email=other_shop.owner.email), name="Theirs", livemode=False)
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    assert owner.post(URL, {"action": "revoke", "key": str(theirs.key.uuid)}).status_code == 404
    assert _working(other_shop) == ["Theirs"]


@pytest.mark.django_db
def test_in_test_mode_the_page_names_the_verified_test_mini_program_app_id(shop):
    from pawpact.tenants.credentials import credential_save, credential_verification_record
    from pawpact.tenants.models import Shop

    owner = client_for(shop, staff_user(shop, Role.OWNER))
    app_id, secret = "wx0123456789abcdef", "0123456789abcdef0123456789abcdef"
    credential = credential_save(shop=shop, provider="miniprogram", livemode=False, config={"appid": app_id},
                                 secrets={"app_secret": secret}, actor=None)  # fmt: skip
    assert app_id not in owner.get(URL).content.decode()  # not verified yet
    credential_verification_record(credential_id=credential.pk)
    page = owner.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'<code id="test-mini-program-app-id">{app_id}</code>' in page and "测试模式微信小程序 app id" in page
    assert secret not in page
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    assert app_id not in owner.get(URL).content.decode()
