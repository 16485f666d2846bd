"""The Marketing tab bar shows a role only the tabs it may open: a clerk never meets a tab that answers 403."""
import re

import pytest

from pawpact.workspace.enums import Role
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db

COUPON_TABS = ["/manage/marketing/", "/manage/marketing/coupons/", "/manage/marketing/triggers/",
               "/manage/marketing/segments/", "/manage/marketing/campaigns/"]  # fmt: skip
EVERYONE_TABS = ["/manage/marketing/referrals/", "/manage/marketing/mall/", "/manage/marketing/mall/redemptions/",
                 "/manage/marketing/stored-value/", "/manage/marketing/stored-value/movements/"]  # fmt: skip


def _tabs(html: str) -> list[str]:
    bar = re.search(r'<nav class="ws-tabs".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', bar)


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.CLERK])
def test_each_role_sees_only_the_tabs_it_may_open_and_every_tab_opens(shop, role):
    client = client_for(shop, staff_user(shop, role))
    tabs = _tabs(client.get("/manage/marketing/mall/redemptions/").content.decode())
    expected = EVERYONE_TABS if role == Role.CLERK else COUPON_TABS + EVERYONE_TABS
    assert tabs == expected
    for path in tabs:
        assert client.get(path).status_code == 200, path
    if role == Role.CLERK:
        assert all(client.get(path).status_code == 403 for path in COUPON_TABS)
