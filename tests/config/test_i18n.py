"""UI text ships in Simplified Chinese and English, with a switch on every page."""
import gettext
import re
from pathlib import Path

from django.utils import translation

from pawpact.billing.enums import CallTaskStatus, ContractStatus, EntitlementKind, PeriodStatus
from pawpact.billing.models import Plan
from pawpact.customers.models import Customer, Pet
from pawpact.platform.enums import AdvanceStatus, InvoiceStatus, PayoutStatus, SubscriptionStatus
from pawpact.platform.kpis.selectors import RankedShop
from pawpact.platform.models import Advance
from pawpact.tenants.enums import ShopState

CATALOG = Path(__file__).resolve().parents[2] / "pawpact" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOG.with_suffix(".mo")

# One Chinese term per concept. Each key is a variant the catalog once mixed in; the
# value is the term kept (the one the signed agreement uses where it names the concept).
REJECTED_TERMS = {
    "店铺": "门店",  # shop
    "客户": "顾客",  # a shop's customer (Stripe's own "customer" object excepted)
    "回归优惠": "召回优惠",  # win-back
    "电话回访": "电话联系",  # a dunning call
    "代扣日历": "扣款日历",  # debit calendar
    "死亡": "离世",  # pet death
    "证明文件": "证明材料",  # evidence
    "沙盒": "沙箱",  # sandbox
    "套餐月包裹": "套餐月盒",  # plan box
    "“": "「",  # a quoted status or name
}


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def _catalog() -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) → msgstr of the .po file (msgctxt "" when none; plural forms: the
    first), continuation lines joined."""
    entries: dict[tuple[str, str], str] = {}
    current: dict[str, str] = {}
    field = None
    for line in CATALOG.read_text(encoding="utf-8").splitlines() + [""]:
        match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
        if match:
            field = match.group(1).replace("[0]", "")
            current[field] = match.group(2)
        elif line.startswith('"') and field:
            current[field] += line[1:-1]
        elif not line.strip() and current:
            entries[(current.get("msgctxt", ""), current.get("msgid", ""))] = current.get("msgstr", "")
            current, field = {}, None
    entries.pop(("", ""), None)  # the header
    return entries


def test_every_message_of_the_catalog_is_translated():
    catalog = _catalog()
    assert len(catalog) > 50
    assert [key for key, msgstr in catalog.items() if not msgstr] == []
    assert "#, fuzzy" not in CATALOG.read_text(encoding="utf-8")


def test_pages_follow_the_browsers_language(public_client):
    chinese = public_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _zh("Open your shop") != "Open your shop"
    assert _zh("Open your shop") in chinese and "Open your shop" not in chinese
    assert "Open your shop" in english


def test_the_language_switch_sticks(public_client):
    response = public_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/signup/"})
    assert response.status_code == 302 and response["Location"] == "/signup/"
    page = public_client.get("/signup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _zh("Create my shop") in page


def test_every_page_offers_the_switch(public_client, shop_client):
    for client, path in ((public_client, "/"), (public_client, "/signup/"), (public_client, "/accounts/login/"),
                         (shop_client, "/")):  # fmt: skip
        assert 'action="/i18n/setlang/"' in client.get(path).content.decode(), path


def test_the_compiled_catalog_matches_its_source():
    """The committed .mo is `manage.py compilemessages` of the committed .po."""
    with COMPILED.open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = []
    for (context, msgid), msgstr in _catalog().items():
        key = _unescape(f"{context}\x04{msgid}" if context else msgid)
        if mo._catalog.get(key, mo._catalog.get((key, 0))) != _unescape(msgstr):
            stale.append((context, msgid))
    assert stale == []


def _unescape(po_text: str) -> str:
    """A .po string's C escapes (\\n, \\", …) as the characters they stand for."""
    return po_text.encode().decode("unicode_escape").encode("latin-1").decode()


def test_one_english_word_gets_the_chinese_of_its_meaning():
    with translation.override("zh-hans"):
        labels = {
            "contract active": ContractStatus.ACTIVE.label,
            "subscription active": SubscriptionStatus.ACTIVE.label,
            "shop active": ShopState.ACTIVE.label,
            "plan name": Plan._meta.get_field("name").verbose_name,
            "pet name": Pet._meta.get_field("name").verbose_name,
            "customer name": Customer._meta.get_field("name").verbose_name,
            "period paid": PeriodStatus.PAID.label,
            "advance paid": AdvanceStatus.PAID.label,
            "payout paid": PayoutStatus.PAID.label,
            "call task open": CallTaskStatus.OPEN.label,
            "invoice open": InvoiceStatus.OPEN.label,
            "grooming": EntitlementKind.GROOMING.label,
            "consultation": EntitlementKind.CONSULTATION.label,
        }
        labels = {meaning: str(label) for meaning, label in labels.items()}
        pawpact_plan = translation.pgettext("Pawpact subscription", "Plan")
        food_plan = translation.gettext("Plan")
    assert labels == {
        "contract active": "生效中",
        "subscription active": "生效中",
        "shop active": "营业中",
        "plan name": "名称",
        "pet name": "名字",
        "customer name": "姓名",
        "period paid": "已支付",
        "advance paid": "已打款",
        "payout paid": "已打款",
        "call task open": "待处理",
        "invoice open": "待支付",
        "grooming": "洗护",  # as in the plans' entitlements and the agreement
        "consultation": "医疗咨询",
    }
    assert (pawpact_plan, food_plan) == ("订阅方案", "套餐")


def test_open_for_business_and_a_persons_name_are_used_only_where_they_fit():
    catalog = _catalog()
    assert [key for key, msgstr in catalog.items() if "营业中" in msgstr] == [("shop state", "Active")]
    assert sorted(key for key, msgstr in catalog.items() if "姓名" in msgstr) == [
        ("", "A password the shop's password policy refuses (too common, all digits, like the name or email)."),
        ("", "Change a customer's name, phone or date of birth"),
        ("", "Enter the customer's name."),
        ("", "Name"), ("", "Name or phone"), ("", "Name, phone or pet"),
        ("", "Part of the customer's name or phone number, or of the pet's name."),
        ("", "Part of the name or of the phone number, or the whole email of the customer or their login."),
        ("", "Phone or name"),
        ("", "This number is new here: add a name and a date of birth to register."),
        ("", "Where the score comes from (report number, screenshot…). Kept with your name."),
        ("", "Your name"), ("", "Your name, please."), ("", "name"), ("", "your name"),
    ]  # fmt: skip


def test_one_chinese_term_per_concept():
    offenders = [
        (msgid, rejected, kept)
        for (_context, msgid), msgstr in _catalog().items()
        for rejected, kept in REJECTED_TERMS.items()
        if rejected in msgstr and not (rejected == "客户" and "Stripe customer" in msgid)
    ]
    assert offenders == []


def test_console_pages_show_labels_not_codes():
    with translation.override("zh-hans"):
        ranked = RankedShop(rank=1, shop_id=1, name="Alpha", slug="alpha", risk_state="watch", value=1, kpi="signings")
        assert ranked.risk_state_label == "重点关注"
        assert Advance(closed_reason="pet_loss").closed_reason_label == "宠物离世或走失"
        assert Advance(closed_reason="").closed_reason_label == ""


def test_the_outbox_page_names_each_shops_state(public_client, shop):
    from pawpact.accounts.models import User

    public_client.force_login(User.objects.create_user("ops@pawpact.test", "pw-long-enough-1", is_staff=True))
    chinese = public_client.get("/console/outbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = public_client.get("/console/outbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<td class="state-active">营业中</td>' in chinese
    assert '<td class="state-active">Active</td>' in english


# A translated label followed by an ASCII colon outside the msgid ({% translate "Amount" %}:)
# shows "金额:" on Chinese pages; the colon belongs in the msgid, where Chinese gets "：".
COLON_AFTER_LABEL = re.compile(
    r"""\{%-?\s*(?:trans|translate)\s+("[^"]*"|'[^']*')[^%]*%\}((?:</?\w+[^>]*>)*)\s*:(?!//)"""
    r"""|\{%-?\s*endblocktrans(?:late)?\s*-?%\}((?:</?\w+[^>]*>)*)\s*:(?!//)"""
)


def test_no_template_puts_an_ascii_colon_after_a_translated_label():
    root = CATALOG.parents[3]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.html")) + sorted(root.rglob("*.txt"))
        if "templates" in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if COLON_AFTER_LABEL.search(line)
    ]
    assert offenders == []


def test_chinese_labels_end_in_a_full_width_colon():
    offenders = [
        msgid
        for (_context, msgid), msgstr in _catalog().items()
        if msgid.rstrip().endswith(":") and msgstr.rstrip().endswith(":")
    ]
    assert offenders == []
    with translation.override("zh-hans"):
        assert translation.gettext("Paid by:") == "费用来源："


def test_the_colon_pattern_catches_what_it_must():
    assert COLON_AFTER_LABEL.search('<p>{% translate "Amount" %}: {{ x }}</p>')
    assert COLON_AFTER_LABEL.search("<strong>{% trans 'Note' %}</strong>: hi")
    assert COLON_AFTER_LABEL.search("{% blocktranslate %}Paid {{ n }}{% endblocktranslate %}:")
    assert not COLON_AFTER_LABEL.search('<p>{% translate "Amount:" %} {{ x }}</p>')
    assert not COLON_AFTER_LABEL.search('<a href="{% url "home" %}">{% translate "Site" %}</a> https://x')
