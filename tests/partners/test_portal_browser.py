"""The partner portal and the console's partner statement in chromium at 1366 and 390 px,
English and Chinese: nothing wider than the screen, and screenshots to look at."""

import pytest
from django.test import Client

from pawpact.accounts.models import User
from pawpact.partners.bookings import rating_submit
from pawpact.partners.models import PartnerMember
from pawpact.partners.portal import partner_hours_update
from pawpact.platform.partner_payout import partner_payout_account_set
from tests.browser import browser_marks, chromium, fetch, page_serve, screenshot
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import booking, listed
from tests.partners.test_browser import _with_styles

pytestmark = [*browser_marks, pytest.mark.django_db]


def test_partner_portal_pages_fit_both_widths_in_both_languages(shop, tmp_path):
    partner = listed(name="Harbour Animal Hospital", price_minor=8_800)
    for stars in (5, 4):
        done = booking(shop, partner, with_entitlement=True)
        rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=stars, comment="Calm")
    booking(shop, partner, completed=False, with_entitlement=True)
    partner_hours_update(partner=partner, days=["09:00-12:00, 14:00-21:00"] * 6 + [""], open_24h=False,
                         note="Closed on public holidays")  # fmt: skip
    partner_payout_account_set(partner=partner, kind="alipay_receiver", account_ref="2088000000000007",
                               holder_name="Harbour Animal Hospital Ltd")  # fmt: skip
    member = User.objects.create_user("lin@harbour.test", SHOP_PASSWORD, name="Lin")
    PartnerMember.objects.create(partner=partner, user=member)
    mine = Client(HTTP_HOST="localhost")
    mine.force_login(member)
    console = Client(HTTP_HOST="localhost")
    console.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, is_staff=True))
    pages = [
        ("portal-home", mine, "http://localhost/partner/"),
        ("portal-profile", mine, "http://localhost/partner/profile/"),
        ("portal-statement", mine, "http://localhost/partner/statement/"),
        ("portal-hours", mine, "http://localhost/partner/hours/"),
        ("portal-payout", mine, "http://localhost/partner/payout-account/"),
        ("console-statement", console, f"http://localhost/console/partners/{partner.pk}/statement/"),
        ("console-hours", console, f"http://localhost/console/partners/{partner.pk}/hours/"),
        ("console-payout", console, f"http://localhost/console/partners/{partner.pk}/payout-account/"),
    ]
    by_language = {
        language: [(name, url, fetch(client, url, HTTP_ACCEPT_LANGUAGE=language)) for name, client, url in pages]
        for language in ("en", "zh-hans")
    }
    assert "门店发来的预约" in by_language["zh-hans"][0][2].content.decode()
    assert "Bookings from shops" in by_language["en"][0][2].content.decode()
    with chromium() as browser:
        for language, answers in by_language.items():
            for width in (1366, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name, url, response in answers:
                    page_serve(page, _with_styles(url, response))
                    page.goto(url)
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1 or name.startswith("console"), (name, language, width, overflow)
                    screenshot(page, tmp_path, f"partner-{name}-{language}-{width}.png")
                page.close()
