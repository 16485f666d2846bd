"""A deposit lowered by a friend's referral says so where it is shown (the customer's
signing page and the staff signing page): the plan's deposit and what came off."""

from pathlib import Path
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "pawpact"


def _contract(deposit_minor, status="due"):
    return SimpleNamespace(deposit_minor=deposit_minor, deposit_status=status, currency="CNY",
                           plan_version=SimpleNamespace(deposit_minor=50_000))  # fmt: skip


def test_a_referral_discount_is_explained_next_to_the_deposit():
    with translation.override("en"):
        assert "¥500.00 less ¥200.00 for a friend&#x27;s referral" in render_to_string(
            "_deposit_discount.html", {"contract": _contract(30_000)}) or \
            "¥500.00 less ¥200.00 for a friend's referral" in render_to_string(
            "_deposit_discount.html", {"contract": _contract(30_000)})  # fmt: skip
    with translation.override("zh-hans"):
        assert "原价 ¥500.00，好友推荐减免 ¥200.00" in render_to_string("_deposit_discount.html",
                                                                   {"contract": _contract(30_000)})  # fmt: skip
    assert render_to_string("_deposit_discount.html", {"contract": _contract(50_000)}).strip() == ""
    assert render_to_string("_deposit_discount.html", {"contract": _contract(0, status="waived")}).strip() == ""
    for page in ("storefront/templates/storefront/sign/page.html", "workspace/templates/workspace/signings/detail.html"):
        assert '{% include "_deposit_discount.html" %}' in (TEMPLATES / page).read_text()
