"""设置: shop profile, debit and collection rules, message limit, staff and roles, change log."""
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from pawpact.accounts.models import User
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.messaging.services import messaging_settings_get
from pawpact.tenants.models import Shop
from pawpact.workspace.enums import EventKind, Role
from pawpact.workspace.models import ShopProfile, StaffRole, WorkspaceEvent
from tests.conftest import SHOP_PASSWORD
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def png(size=(40, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#c2410c").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


PROFILE = {"name": "Alpha Pets 阿尔法", "address": "上海市徐汇区漕溪北路 1 号", "contact_phone": "021-5555 0101",
           "contact_email": "hello@alpha.test", "opening_hours": "10:00–21:00", "licence_number": "91310104MA1FR0XX4K"}  # fmt: skip


def test_owner_saves_the_profile_with_logo_and_licence(shop, owner_client, shop_client):
    data = {**PROFILE, "logo": png(), "licence_file": SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence")}
    response = owner_client.post("/manage/settings/", data)
    assert response.status_code == 302
    assert Shop.objects.get(pk=shop.pk).name == "Alpha Pets 阿尔法"
    with schema_context(shop.schema_name):
        profile = ShopProfile.objects.get()
        assert (profile.address, profile.contact_phone, profile.licence_number) == (
            PROFILE["address"], "021-5555 0101", "91310104MA1FR0XX4K")  # fmt: skip
        assert WorkspaceEvent.objects.get().kind == EventKind.PROFILE_SAVED
    logo = shop_client.get("/shop/logo/")
    assert logo.status_code == 200 and b"".join(logo.streaming_content).startswith(b"\x89PNG")
    home = shop_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "上海市徐汇区漕溪北路 1 号" in home and "021-5555 0101" in home and "/shop/logo/" in home
    licence = owner_client.get("/manage/settings/licence/")
    assert b"".join(licence.streaming_content) == b"%PDF-1.4 licence"
    Shop.objects.filter(pk=shop.pk).update(name="Alpha Pets")


@pytest.mark.parametrize("change, field, message", [
    ({"licence_number": "12345"}, "licence_number", "The unified social credit code has 18 digits and capital letters."),
    ({"logo": SimpleUploadedFile("logo.png", b"not an image")}, "logo", "Upload a PNG, JPEG or WebP image."),
    ({"licence_file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, "licence_file", "Upload a PDF, PNG or JPEG file."),
    ({"name": ""}, "name", "This field is required."),
    ({"contact_email": "nope"}, "contact_email", "Enter a valid email address."),
])  # fmt: skip
def test_a_bad_profile_shows_the_error_by_the_field_and_writes_nothing(shop, owner_client, change, field, message):
    response = owner_client.post("/manage/settings/", {**PROFILE, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    box = response.content.decode().split(f'name="{field}"', 1)[1].split("</div>", 1)[0]
    assert message in box
    assert Shop.objects.get(pk=shop.pk).name == "Alpha Pets"
    with schema_context(shop.schema_name):
        assert not ShopProfile.objects.exclude(address="").exists()
        assert not WorkspaceEvent.objects.exists()


RULES = {
    "reminder_days_before": "2", "retry_days": "2，4", "grace_days": "1", "default_after_days": "45",
    "write_off_after_days": "120", "deferrals_per_contract": "2", "winback_first_month_discount": "40",
    "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0",
    "steps-0-day": "1", "steps-0-action": "sms", "steps-1-day": "5", "steps-1-action": "call",
    "steps-2-day": "", "steps-2-action": "sms",
    "rewards-TOTAL_FORMS": "2", "rewards-INITIAL_FORMS": "0",
    "rewards-0-key": "", "rewards-0-periods": "12", "rewards-0-label": "续约送洗护", "rewards-0-free_months": "0",
    "rewards-0-discount": "", "rewards-0-gift_value": "88.50",
    "rewards-1-key": "", "rewards-1-periods": "24", "rewards-1-label": "Two months free", "rewards-1-free_months": "2",
    "rewards-1-discount": "5", "rewards-1-gift_value": "",
}  # fmt: skip


def test_owner_changes_the_debit_and_collection_rules(shop, owner_client):
    response = owner_client.post("/manage/settings/billing/", RULES)
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        row = billing_settings_get()
    assert (row.reminder_days_before, row.retry_days, row.grace_days) == (2, [2, 4], 1)
    assert (row.default_after_days, row.write_off_after_days, row.deferrals_per_contract) == (45, 120, 2)
    assert row.winback_first_month_discount == Decimal("0.400")
    assert row.escalation_steps == [{"day": 1, "action": "sms"}, {"day": 5, "action": "call"}]
    assert row.renewal_rewards == {
        "12": [{"key": "reward", "label": "续约送洗护", "free_months": 0, "discount_rate": "0",
                "gift_value_minor": 8850, "services": [], "gifts": []}],
        "24": [{"key": "two-months-free", "label": "Two months free", "free_months": 2, "discount_rate": "0.050",
                "gift_value_minor": 0, "services": [], "gifts": []}],
    }  # fmt: skip
    form = owner_client.get("/manage/settings/billing/").content.decode()
    assert 'value="2, 4"' in form and 'value="88.50"' in form


@pytest.mark.parametrize("change, field, message", [
    ({"retry_days": "5, 3"}, "retry_days", "Up to 5 different days from 1 to 30 after the due date, in order."),
    ({"retry_days": "1, x"}, "retry_days", "Enter whole days separated by commas, e.g. 1, 3, 5."),
    ({"reminder_days_before": "0"}, "reminder_days_before", "Remind 1 to 15 days before the debit."),
    ({"write_off_after_days": "40"}, "write_off_after_days", "Write off no earlier than the default."),
    ({"steps-0-day": "", "steps-1-day": ""}, "steps-TOTAL_FORMS", "Keep at least one escalation step."),
    ({"rewards-0-discount": "60"}, "rewards-0-discount", None),
])  # fmt: skip
def test_bad_rules_are_refused_by_the_field_and_nothing_changes(shop, owner_client, change, field, message):
    with schema_context(shop.schema_name):
        before = billing_settings_get()
    response = owner_client.post("/manage/settings/billing/", {**RULES, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    box = page.split(f'name="{field}"', 1)[1][:1500]
    assert 'class="error"' in box
    if message:
        assert message in box
    with schema_context(shop.schema_name):
        after = billing_settings_get()
    assert (after.retry_days, after.reminder_days_before, after.escalation_steps, after.updated_at) == (
        before.retry_days, before.reminder_days_before, before.escalation_steps, before.updated_at)  # fmt: skip


def test_marketing_cap(shop, owner_client):
    assert owner_client.post("/manage/settings/messages/", {"marketing_messages_per_day": "3"}).status_code == 302
    response = owner_client.post("/manage/settings/messages/", {"marketing_messages_per_day": "9"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Allow 0 to 5 marketing messages a day." in response.content.decode()
    with schema_context(shop.schema_name):
        assert messaging_settings_get().marketing_messages_per_day == 3


def test_owner_adds_a_manager_who_sets_a_password_from_the_invitation(shop, owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/manage/settings/staff/", {"name": "Zhou Min", "email": "Zhou@Alpha.test", "role": "manager"})
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        user = User.objects.get(email="zhou@alpha.test")
        assert user.is_staff and not user.is_superuser and not user.has_usable_password()
        assert StaffRole.objects.get(user=user).role == Role.MANAGER
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhou@alpha.test"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    assert link.startswith("http://alpha.localhost/")
    again = owner_client.post("/manage/settings/staff/", {"name": "Zhou", "email": "zhou@alpha.test", "role": "clerk"},
                              HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert again.status_code == 400 and "This email is taken." in again.content.decode()
    listing = owner_client.get("/manage/settings/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invited: no password yet" in listing
    invited = Client(HTTP_HOST="alpha.localhost")
    form_page = invited.get(link.removeprefix("http://alpha.localhost"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose your password" in form_page.content.decode() and "Cancel" not in form_page.content.decode()
    done = invited.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.removeprefix("http://alpha.localhost"),
                        {"password1": "a-long-good-password", "password2": "a-long-good-password"},
                        follow=True, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "Your password is saved" in done.content.decode() and 'href="/accounts/login/"' in done.content.decode()
    with schema_context(shop.schema_name):
        assert User.objects.get(email="zhou@alpha.test").check_password("a-long-good-password")


def test_owner_changes_a_role_and_deactivates_a_member(shop, owner_client):
    clerk = staff_user(shop, Role.CLERK)
    assert owner_client.post(f"/manage/settings/staff/{clerk.pk}/", {"action": "role", "role": "manager"}).status_code == 302
    assert owner_client.post(f"/manage/settings/staff/{clerk.pk}/", {"action": "deactivate"}).status_code == 302
    with schema_context(shop.schema_name):
        assert StaffRole.objects.get(user=clerk).role == Role.MANAGER
        assert User.objects.get(pk=clerk.pk).is_active is False
        kinds = list(WorkspaceEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.STAFF_ROLE_CHANGED, EventKind.STAFF_DEACTIVATED]
    browser = client_for(shop)
    login = browser.post("/accounts/login/", {"login": clerk.email, "password": SHOP_PASSWORD})
    assert login["Location"] == "/accounts/inactive/"  # allauth's "account inactive" page
    assert browser.get("/manage/").status_code == 302  # not logged in
    log = owner_client.get("/manage/settings/log/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Staff member deactivated" in log and clerk.email in log


def test_the_owners_account_and_ones_own_access_cannot_be_changed(shop, owner_client):
    with schema_context(shop.schema_name):
        owner = User.objects.get(email=shop.owner.email)
    for data in ({"action": "deactivate"}, {"action": "role", "role": "clerk"}):
        assert owner_client.post(f"/manage/settings/staff/{owner.pk}/", data).status_code == 403
    with schema_context(shop.schema_name):
        assert User.objects.get(pk=owner.pk).is_active and not StaffRole.objects.filter(user=owner).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CLERK])
def test_only_the_owner_opens_settings_and_manages_staff(shop, role):
    client = client_for(shop, staff_user(shop, role))
    other = staff_user(shop, Role.CLERK, email="other-clerk@alpha.test")
    for url in ("/manage/settings/", "/manage/settings/billing/", "/manage/settings/messages/",
                "/manage/settings/staff/", "/manage/settings/log/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    before = (User.objects.count(), Shop.objects.get(pk=shop.pk).name)
    assert client.post("/manage/settings/", PROFILE).status_code == 403
    assert client.post("/manage/settings/staff/", {"name": "X", "email": "x@alpha.test", "role": "manager"}).status_code == 403
    assert client.post(f"/manage/settings/staff/{other.pk}/", {"action": "deactivate"}).status_code == 403
    assert client.post("/manage/settings/billing/", RULES).status_code == 403
    with schema_context(shop.schema_name):
        assert User.objects.get(pk=other.pk).is_active
        assert not User.objects.filter(email="x@alpha.test").exists()
        assert billing_settings_get().retry_days == [1, 3, 5]
    assert (User.objects.count(), Shop.objects.get(pk=shop.pk).name) == before


def test_another_shop_neither_sees_nor_changes_this_shops_staff_or_profile(shop, other_shop, owner_client):
    clerk = staff_user(shop, Role.CLERK)
    owner_client.post("/manage/settings/", {**PROFILE, "name": "Alpha Pets"})
    beta = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert clerk.email not in beta.get("/manage/settings/staff/").content.decode()
    assert PROFILE["address"] not in beta.get("/manage/settings/").content.decode()
    beta.post(f"/manage/settings/staff/{clerk.pk}/", {"action": "deactivate"})
    with schema_context(shop.schema_name):
        assert User.objects.get(pk=clerk.pk).is_active
    assert client_for(other_shop).get("/shop/logo/").status_code == 404


def test_settings_in_chinese(owner_client):
    owner_client.cookies["django_language"] = "zh-hans"
    text = owner_client.get("/manage/settings/billing/").content.decode()
    for label in ("扣款与催收规则", "宽限期", "延期券", "续约奖励", "电话联系"):
        assert label in text, label


@pytest.mark.parametrize("url", ["/manage/settings/", "/manage/settings/billing/", "/manage/settings/messages/",
                                 "/manage/settings/staff/", "/manage/settings/log/"])  # fmt: skip
def test_settings_pages_stay_within_twenty_queries(shop, owner_client, page_queries, url):
    staff_user(shop, Role.CLERK)
    staff_user(shop, Role.MANAGER)
    owner_client.get(url)
    with page_queries() as queries:
        assert owner_client.get(url).status_code == 200
    assert queries.count <= 20, queries.count


def test_the_messages_page_counts_the_shops_sms_by_outcome(shop, other_shop, owner_client):
    from datetime import date

    from pawpact.customers.models import Customer
    from pawpact.messaging.models import Message

    def rows(statuses):
        customer = Customer.objects.create(name="Li", phone="13800138000", birth_date=date(1990, 1, 1))
        for n, (status, attempts) in enumerate(statuses):
            Message.objects.create(customer=customer, channel="sms", category="service", topic="t", body="b",
                                   dedupe_key=f"k{n}#sms", status=status, attempts=attempts)  # fmt: skip

    with schema_context(shop.schema_name):
        rows([("delivered", 1), ("delivered", 2), ("failed", 4), ("retrying", 1), ("sent", 1)])
    with schema_context(other_shop.schema_name):
        rows([("failed", 1)] * 7)
    response = owner_client.get("/manage/settings/messages/", HTTP_ACCEPT_LANGUAGE="en")
    sms = response.context["sms"]
    assert (sms["delivered"], sms["failed"], sms["retrying"], sms["sent"], sms["retried"]) == (2, 1, 1, 1, 2)
    assert "SMS in the last 30 days" in response.content.decode()
    zh = owner_client.get("/manage/settings/messages/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "近 30 天的短信" in zh and "已送达" in zh
