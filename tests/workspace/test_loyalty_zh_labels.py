"""Loyalty screens in Chinese use the word of each label's meaning: a thing's name is 名称
(a person's is 姓名), a counter spend is "for" a 用途 (not a pet), a segment's condition is
its 顾客范围 (not the 操作人 of a log), and an active customer is 活跃 (not a contract's 生效中)."""

import pytest
from django.utils import translation

from pawpact.loyalty.segments import ACTIVITIES
from pawpact.workspace.enums import Role
from pawpact.workspace.views.stored_value import SpendForm
from pawpact.workspace.views.wallet import MallItemForm
from pawpact.workspace.views.wallet_tables import MALL_ITEM_COLUMNS
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def test_loyalty_labels_in_chinese_follow_their_meaning():
    with translation.override("zh-hans"):
        labels = (str(SpendForm.base_fields["revenue"].label), str(MallItemForm.base_fields["name"].label),
                  str(MALL_ITEM_COLUMNS[0].header), str(ACTIVITIES["active"]))  # fmt: skip
    assert labels == ("用途", "名称", "名称", "活跃")
    with translation.override("en"):
        assert (str(SpendForm.base_fields["revenue"].label), str(ACTIVITIES["active"])) == ("For", "Active")


@pytest.mark.parametrize("url", ["/manage/marketing/segments/", "/manage/marketing/mall/"])
def test_segment_and_mall_pages_name_things_not_people(shop, url):
    client = client_for(shop, staff_user(shop, Role.OWNER))
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert "<th>名称</th>" in head and "姓名" not in head and "操作人" not in head
    if "segments" in url:
        assert "<th>顾客范围</th>" in head
        assert '<option value="active">活跃</option>' in page
