"""A reason kept as (code, params) and worded for whoever looks: English, Simplified Chinese,
a code the table does not know, a parameter the row lacks, and tables that cannot word."""
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_noop

from pawpact.core.reasons import Reasons, placeholders
from pawpact.platform.funding import import_reasons, verdicts
from pawpact.warehouses import reasons as warehouse_reasons

# msgids the catalog already translates, so the Chinese wording is the catalog's.
ANSWERED = gettext_noop("The warehouse answered %(status)s.")
REFUSED = gettext_noop("Refused (HTTP %(status)s): %(message)s")
TIMEOUT = gettext_noop("The warehouse did not answer in time (timeout).")
TABLE = Reasons({"answered": ANSWERED, "refused": REFUSED, "timeout": TIMEOUT}, kind="test reason",
                defaults={"status": "?", "message": ""})  # fmt: skip


def test_a_reason_is_worded_in_the_viewers_language():
    with translation.override("en"):
        assert TABLE.text("answered", {"status": 503}) == "The warehouse answered 503."
        assert TABLE.text("refused", {"status": 422, "message": "bad sku"}) == "Refused (HTTP 422): bad sku"
        assert TABLE.text("timeout") == "The warehouse did not answer in time (timeout)."
    with translation.override("zh-hans"):
        chinese = TABLE.text("answered", {"status": 503})
        assert chinese == translation.gettext(ANSWERED) % {"status": 503}
        assert chinese != "The warehouse answered 503." and "503" in chinese
        assert TABLE.text("timeout") == translation.gettext(TIMEOUT) != TIMEOUT


def test_a_missing_parameter_takes_its_default_and_extra_ones_are_ignored():
    with translation.override("en"):
        assert TABLE.text("answered", {}) == "The warehouse answered ?."
        assert TABLE.text("answered", None) == "The warehouse answered ?."
        assert TABLE.text("refused", {"status": 400}) == "Refused (HTTP 400): "
        assert TABLE.text("timeout", {"status": 1, "sandbox": True}) == "The warehouse did not answer in time (timeout)."


def test_an_unknown_code_gets_a_general_sentence_or_what_was_said_and_is_logged_once(caplog):
    table = Reasons({"timeout": TIMEOUT}, kind="logged reason")
    with caplog.at_level(logging.WARNING, logger="pawpact.core.reasons"):
        with translation.override("en"):
            assert table.text("from_a_newer_release", {"x": 1}) == "No further detail can be shown."
            assert table.text("from_a_newer_release", said="Timed out after 5 s") == "Timed out after 5 s"
        with translation.override("zh-hans"):
            assert table.text("from_a_newer_release") == "暂无更多说明。"
            assert table.text("") == "暂无更多说明。"
    logged = [r for r in caplog.records if "from_a_newer_release" in r.getMessage()]
    assert len(logged) == 1 and "logged reason" in logged[0].getMessage()
    assert not [r for r in caplog.records if "''" in r.getMessage()]  # no code: nothing to report
    assert "from_a_newer_release" not in table and "timeout" in table


def test_a_table_whose_templates_cannot_be_filled_fails_when_it_is_built():
    with pytest.raises(ImproperlyConfigured, match="no default for status"):
        Reasons({"answered": ANSWERED}, kind="broken")
    with pytest.raises(ImproperlyConfigured, match="unnamed placeholder"):
        Reasons({"positional": "The warehouse answered %s."}, kind="broken", defaults={"status": 0})
    with pytest.raises(ImproperlyConfigured, match="do not fill"):
        Reasons({"count": "%(n)d SKUs"}, kind="broken", defaults={"n": "?"})
    assert placeholders("Refused (HTTP %(status)s): %(message)s, 100%% sure") == {"status", "message"}


def test_the_three_tables_word_as_before():
    with translation.override("en"):
        assert warehouse_reasons.reason_text("passed", {"skus": 1200, "sandbox": True}) == (
            "Reachable; signatures accepted; 1200 SKUs.")
        assert warehouse_reasons.reason_text("passed", {}) == "Reachable; signatures accepted; ? SKUs."
        assert warehouse_reasons.reason_text("", {}, said="as said") == "as said"
        assert warehouse_reasons.reason_text("", {}) == ""
        assert verdicts.verdict_text("alipay_refused", {"reason": "ACQ.SOMETHING_NEW"}) == "Alipay refused this account."
        assert verdicts.verdict_text("alipay_refused", {}) == "Alipay refused this account."
        assert verdicts.verdict_text("stripe_refused", {"reason": ""}).startswith("Stripe has no such account")
        assert verdicts.verdict_text("stripe_refused", {}) == "Stripe refused this account."
        assert verdicts.verdict_text("stripe_refused", {"reason": "rate_limit"}) == "Stripe refused this account."
        assert verdicts.verdict_text("stripe_ready", {}) == "Stripe:  has payouts enabled."
        assert verdicts.verdict_text("", {}, said="note") == "note"
        assert verdicts.verdict_text("no_such_verdict", {}, said="note") == "note"
    with translation.override("zh-hans"):
        assert warehouse_reasons.reason_text("passed", {"skus": 7}) == "连接正常，签名已通过；共 7 个商品编码。"
    assert import_reasons.CREDENTIALS_MISSING in import_reasons.IMPORT_FAILURES
