"""The paid membership's full-refund rule is shown before joining, not only after; cancelling
the renewal asks first, saying what happens."""

from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.loyalty.paid_membership import paid_membership_join
from tests.loyalty.paid_helpers import method, plan
from tests.storefront.test_my_plans import browser_of, customer_with_login


def test_the_refund_rule_is_shown_before_joining_and_cancelling_asks_first(shop):
    with schema_context(shop.schema_name):
        customer = customer_with_login(shop)
        card = method(customer)
        offered = plan(990, refund_days=7)
    browser = browser_of(shop, customer)
    before = browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with schema_context(shop.schema_name):
        assert offered.refund_days == 7
    rule_en = "Cancelled within 7 days of a paid period"
    assert rule_en in browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("zh-hans"):
        rule_zh = translation.ngettext("Cancelled within %(days)s day of a paid period's start, that period is refunded in "
                                       "full and the membership ends at once; later, you stay a member until the period's end.",
                                       "Cancelled within %(days)s days of a paid period's start, that period is refunded in "
                                       "full and the membership ends at once; later, you stay a member until the period's end.",
                                       7) % {"days": 7}  # fmt: skip
    assert 'data-testid="membership"' not in before and rule_zh in before
    with schema_context(shop.schema_name):
        paid_membership_join(customer=customer, plan=offered, payment_method=card, request_key="j")
    joined = browser.get("/my/club/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert rule_en in joined
    assert 'data-confirm="Cancel the renewal? Within the full-refund days the membership ends now' in joined
