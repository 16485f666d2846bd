"""The credit check page in chromium, 390 and 1366 px, English and Chinese: without the
applicant's ticked agreement the check is refused in test mode too, saying why, and
nothing is recorded; ticked, it runs."""
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract, CreditConsent, PlanVersion
from pawpact.billing.services.signing import application_create
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.loyalty.test_rules_preset_browser import session_of
from tests.workspace.conftest import staff_user

pytestmark = [*browser_marks, pytest.mark.django_db]

REFUSED = {"en": "The applicant has not agreed to the credit check yet.", "zh-hans": "申请人尚未同意信用查询"}


@pytest.mark.parametrize(("language", "width"), [("en", 1366), ("zh-hans", 390)])
def test_the_credit_check_waits_for_the_ticked_agreement(shop, adopter, monkeypatch, tmp_path, language, width):
    customer, pet = adopter
    with schema_context(shop.schema_name):
        version = PlanVersion.objects.order_by("monthly_price_minor").first()
        contract = application_create(customer=customer, pet=pet, plan_version_id=version.pk)
    owner = session_of(shop, staff_user(shop, Role.OWNER))
    host = host_of(shop).split(":")[0]
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host}:{server.port}"
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": "django_language", "value": language, "url": base + "/"},
                             {"name": settings.SESSION_COOKIE_NAME, "value": owner, "url": base + "/"}])  # fmt: skip
        page = context.new_page()
        page.goto(base + f"/manage/signings/{contract.uuid}/credit/")
        page.click("form:has(input[value='check']) button[type='submit']")
        page.wait_for_selector("[role='alert']")
        assert REFUSED[language] in page.inner_text("[role='alert']")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, tmp_path, f"credit-consent-refused-{language}-{width}.png")
        with server.db(), schema_context(shop.schema_name):
            assert not CreditConsent.objects.exists()
            assert Contract.objects.get(pk=contract.pk).credit_checked_at is None

        page.check("input[name='consent']")
        page.click("form:has(input[value='check']) button[type='submit']")
        page.wait_for_url(f"**/manage/signings/{contract.uuid}/")
        screenshot(page, tmp_path, f"credit-consent-checked-{language}-{width}.png")
        with server.db(), schema_context(shop.schema_name):
            assert CreditConsent.objects.get().witnessed_by is not None
            assert Contract.objects.get(pk=contract.pk).credit_score == 950
