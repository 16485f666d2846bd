"""Chinese wording of discounts and links reads naturally: "减 5%" rather than "5% 折扣",
"查看" for opening a record, and 顾客 (never 客户) for a shop's customers."""
import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, pgettext

CATALOG = Path(__file__).resolve().parents[2] / "pawpact/locale/zh_Hans/LC_MESSAGES/django.po"


def test_discounts_read_as_reductions_and_links_as_view():
    with translation.override("zh-hans"):
        assert gettext("%(percent)s%% off goods in the shop") % {"percent": 5} == "门店商品减 5%"
        assert gettext("%(tier)s member: %(percent)d%% off goods") % {"tier": "金卡", "percent": 10} == "金卡会员：商品减 10%"
        assert gettext("Goods discount %%") == "商品优惠（减 %%）"
        assert pgettext("link", "Open") == "查看" and gettext("Open the contract") == "查看合同"


def test_no_discount_is_worded_as_a_percent_zhekou_and_no_customer_as_kehu():
    strings = re.findall(r'^msgstr(?:\[0\])? "(.*)"$', CATALOG.read_text(encoding="utf-8"), flags=re.M)
    assert not [s for s in strings if re.search(r"%\)?s?%%? ?折扣", s)]
    assert not [s for s in strings if "客户" in s]
