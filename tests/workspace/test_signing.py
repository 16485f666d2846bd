"""The signing wizard (staff) and the customer's phone: link, SMS code, payment, activation.

Staff never sign: the code goes to the phone on file. Bad input (wrong code, five tries,
a used or expired link, another shop's host) writes nothing the customer did not do.
"""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.billing.models import Contract, CreditConsent, DebitPeriod, SigningLink
from pawpact.billing.selectors import ledger_check
from pawpact.customers.models import Customer
from pawpact.messaging.models import Message
from pawpact.tenants.models import Shop
from tests.workspace.conftest import client_for
from tests.consent import consented

pytestmark = pytest.mark.django_db


def _wizard(client, shop, customer, pet, credit: dict | None = None) -> Contract:
    """Pet → plan (the cheapest) → credit check → link, through the staff pages."""
    response = client.post(f"/manage/signings/new/{customer.uuid}/", {"pet": str(pet.uuid)})
    assert response.status_code == 302, response.content
    plan_page = client.get(response["Location"])
    version = re.search(rb'name="plan_version" value="(\d+)"', plan_page.content).group(1).decode()
    response = client.post(response["Location"], {"plan_version": version})
    assert response.status_code == 302, response.content
    with schema_context(shop.schema_name):
        contract = Contract.objects.get(pet=pet)
    answer = client.post(f"/manage/signings/{contract.uuid}/credit/", credit or {"action": "check", "consent": "yes"})
    assert answer.status_code == 302, answer.content
    assert client.post(f"/manage/signings/{contract.uuid}/link/").status_code == 302
    return contract


def _code(shop, link) -> str:
    with schema_context(shop.schema_name):
        body = Message.objects.filter(dedupe_key__startswith=f"signing-code:{link.pk}:").order_by("-id").first().body
    return re.search(r"\d{6}", body).group(0)


def _link(shop, contract) -> SigningLink:
    with schema_context(shop.schema_name):
        return SigningLink.objects.get(contract=contract, revoked_at__isnull=True)


def test_staff_start_customer_signs_on_phone_and_the_contract_starts(shop, owner_client, adopter):
    customer, pet = adopter
    contract = _wizard(owner_client, shop, customer, pet)
    link = _link(shop, contract)
    detail = owner_client.get(f"/manage/signings/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/sign/{link.token}/" in detail and "<svg" in detail  # link and QR code

    phone = client_for(shop)
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Total cost" in page and "/manage/" not in page and "/api/" not in page
    assert phone.post(f"/sign/{link.token}/", {"action": "send"}).status_code == 302
    response = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": _code(shop, link), "consent": "yes"},
                          HTTP_USER_AGENT="iPhone Safari", REMOTE_ADDR="203.0.113.5")  # fmt: skip
    assert response.status_code == 302
    response = phone.post(f"/sign/{link.token}/", {"action": "pay", "card": "tok_success"})
    assert response.status_code == 302 and response["Location"] == f"/sign/done/{contract.uuid}/"

    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        link.refresh_from_db()
        assert contract.status == ContractStatus.ACTIVE
        assert contract.signed_by_name == "Wang Fang" and contract.signed_ip == "203.0.113.5"
        assert link.verified_at and link.completed_at and link.signed_user_agent == "iPhone Safari"
        assert DebitPeriod.objects.get(contract=contract, number=1).status == PeriodStatus.PAID
        assert ledger_check().is_ok
    steps = owner_client.get(f"/manage/signings/{contract.uuid}/steps/").content.decode()
    assert steps.count('class="done"') == 6 and "hx-trigger" not in steps  # polling stops when done
    # The link cannot be used twice.
    assert phone.get(f"/sign/{link.token}/").status_code == 404
    # The customer creates a login and lands on their plans.
    response = phone.post(f"/sign/done/{contract.uuid}/", {"email": "wang@example.com", "password": "a-long-pass-123"})
    assert response.status_code == 302 and response["Location"] == "/my/plans/"


def test_wrong_code_five_times_locks_the_link_and_signs_nothing(shop, owner_client, adopter):
    customer, pet = adopter
    contract = _wizard(owner_client, shop, customer, pet)
    link = _link(shop, contract)
    phone = client_for(shop)
    phone.post(f"/sign/{link.token}/", {"action": "send"})
    right = _code(shop, link)
    wrong = "000000" if right != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        page = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
        assert f"{tries_left} tries left" in page.content.decode()
        assert page.content.decode().count("Wrong code") == 1  # said once, not twice in other words
    page = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert "locked" in page.content.decode()
    page = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": right}, HTTP_ACCEPT_LANGUAGE="en")
    assert "locked" in page.content.decode()
    with schema_context(shop.schema_name):
        link.refresh_from_db()
        contract.refresh_from_db()
        assert link.wrong_codes == 5 and link.locked_at is not None and link.verified_at is None
        assert contract.status == ContractStatus.DRAFT and contract.signed_at is None


def test_expired_link_and_replaced_link_open_nothing(shop, owner_client, adopter, time_machine):
    customer, pet = adopter
    contract = _wizard(owner_client, shop, customer, pet)
    first = _link(shop, contract)
    owner_client.post(f"/manage/signings/{contract.uuid}/link/")
    assert client_for(shop).get(f"/sign/{first.token}/").status_code == 404  # replaced
    second = _link(shop, contract)
    time_machine.move_to(timezone.now() + timedelta(hours=72, seconds=1))
    page = client_for(shop).get(f"/sign/{second.token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404 and "expired" in page.content.decode()


def test_another_shops_host_does_not_know_the_link(shop, other_shop, owner_client, adopter):
    customer, pet = adopter
    contract = _wizard(owner_client, shop, customer, pet)
    link = _link(shop, contract)
    assert client_for(other_shop).get(f"/sign/{link.token}/").status_code == 404
    assert client_for(other_shop).post(f"/sign/{link.token}/", {"action": "send"}).status_code == 404
    with schema_context(shop.schema_name):
        assert Message.objects.filter(topic="signing_code").count() == 0


def test_a_declined_card_leaves_the_contract_signed_and_another_card_starts_it(shop, owner_client, adopter):
    customer, pet = adopter
    contract = _wizard(owner_client, shop, customer, pet)
    link = _link(shop, contract)
    phone = client_for(shop)
    phone.post(f"/sign/{link.token}/", {"action": "send"})
    phone.post(f"/sign/{link.token}/", {"action": "sign", "code": _code(shop, link), "consent": "yes"})
    page = phone.post(f"/sign/{link.token}/", {"action": "pay", "card": "tok_hard_decline"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 422 and "failed" in page.content.decode()  # refused: a 4xx, the reason shown
    body = page.content.decode()
    assert body.count("declined by the bank") == 1 and "Signed. Last step" not in body  # once, and no green under red
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.SIGNED
    assert phone.post(f"/sign/{link.token}/", {"action": "pay", "card": "tok_success"}).status_code == 302
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.ACTIVE


def test_staff_cannot_sign_through_the_api(shop, shop_staff, api_client, adopter):
    from pawpact.billing.models import PlanVersion
    from pawpact.billing.services.signing import application_create, application_credit_check

    customer, pet = adopter
    with schema_context(shop.schema_name):
        version = PlanVersion.objects.order_by("monthly_price_minor").first()
        contract = application_credit_check(
            contract=consented(application_create(customer=customer, pet=pet, plan_version_id=version.pk)
        ))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    response = api_client.post(f"/api/v1/contracts/{contract.uuid}/sign", {"signer_name": "Wang Fang"}, format="json")
    assert response.status_code == 403
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.signed_at is None


def test_clerk_cannot_override_the_credit_score_manager_can(shop, clerk_client, manager_client, adopter):
    customer, pet = adopter
    contract = _wizard(clerk_client, shop, customer, pet)
    data = {"action": "override", "score": "700", "reason": "Zhima report 12345"}
    assert clerk_client.post(f"/manage/signings/{contract.uuid}/credit/", data).status_code == 403
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.credit_source == "sandbox"
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.DRAFT)
    response = manager_client.post(f"/manage/signings/{contract.uuid}/credit/", {**data, "reason": ""})
    assert response.status_code == 200  # the reason is required
    assert manager_client.post(f"/manage/signings/{contract.uuid}/credit/", data).status_code == 302
    with schema_context(shop.schema_name):
        contract.refresh_from_db()
        assert contract.credit_source == "staff" and contract.credit_score == 700
        assert "manager@alpha.test" in contract.credit_evidence


def test_staff_never_read_a_customers_signing_code(shop, shop_staff, api_client, owner_client, adopter):
    """With the code, staff could sign for the customer: no staff page or API shows it."""
    from pawpact.billing.models import PlanVersion
    from pawpact.billing.services.remote_signing import signing_code_send, signing_link_issue
    from pawpact.billing.services.signing import application_create, application_credit_check
    from pawpact.messaging.models import Message

    customer, pet = adopter
    with schema_context(shop.schema_name):
        version = PlanVersion.objects.order_by("monthly_price_minor").first()
        contract = application_credit_check(contract=consented(application_create(customer=customer, pet=pet, plan_version_id=version.pk)))
        signing_code_send(link=signing_link_issue(contract=contract, staff=None))
        code = re.search(r"\d{6}", Message.objects.get(topic="signing_code").body).group(0)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {shop_staff.api_token}")
    listed = api_client.get("/api/v1/messages", {"customer_uuid": str(customer.uuid)}).content.decode()
    assert code not in listed and "signing_code" not in listed
    for url in (f"/manage/contracts/{contract.uuid}/", f"/manage/customers/{customer.uuid}/"):
        page = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert code not in page and "(hidden from staff)" in page, url


def test_a_test_mode_shop_shows_the_sandbox_sms_on_the_phone_and_a_live_shop_never(shop, owner_client, adopter):
    customer, pet = adopter
    contract = _wizard(owner_client, shop, customer, pet)
    link = _link(shop, contract)
    phone = client_for(shop)
    phone.post(f"/sign/{link.token}/", {"action": "send"})

    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Test mode: no SMS is sent. The sandbox would have texted:" in page
    assert f"Your signing code is {_code(shop, link)}" in page
    Shop.objects.filter(pk=shop.pk).update(mode="live")
    live = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Code from the SMS" in live and _code(shop, link) not in live and "sandbox would have" not in live


def test_a_minor_is_refused_at_the_first_step_and_nothing_is_registered(shop, owner_client):
    data = {"name": "Young Li", "phone": "13800138123", "birth_date": "2015-05-01", "id_checked": "on"}

    page = owner_client.post("/manage/signings/new/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert "Adopters must be 18 or older: check the date on the ID card." in page.content.decode()
    with schema_context(shop.schema_name):
        assert not Customer.objects.filter(phone="13800138123").exists()


def test_with_a_real_credit_provider_the_clerk_records_the_applicants_consent_first(shop, clerk_client, adopter, settings):
    from pawpact.billing.models import CreditConsent
    from pawpact.billing.services.signing import application_create
    from pawpact.payments.gateways import adapters_forget
    from pawpact.sandbox.gateways.alipay import FakeAlipay
    from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
    from pawpact.tenants.credentials import credential_save, credential_verification_record

    gateway = FakeAlipay().start()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS, "zhima": {"live": gateway.gateway_url, "test": gateway.gateway_url}}
    key = rsa_key_new()
    app_id = gateway.app_register(public_pem(key))
    row = credential_save(shop=shop, provider="zhima", livemode=False, config={"app_id": app_id}, actor=None,
                          secrets={"app_private_key": private_pem(key), "alipay_public_key": gateway.public_key_pem})  # fmt: skip
    credential_verification_record(credential_id=row.pk)
    adapters_forget()
    customer, pet = adopter
    try:
        with schema_context(shop.schema_name):
            from pawpact.billing.models import PlanVersion

            version = PlanVersion.objects.order_by("monthly_price_minor").first()
            contract = application_create(customer=customer, pet=pet, plan_version_id=version.pk)
        gateway.zhima_authorise(app_id, customer.phone[-11:], 712)
        url = f"/manage/signings/{contract.uuid}/credit/"
        page = clerk_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "reads my Zhima Credit score" in page and 'name="consent"' in page
        refused = clerk_client.post(url, {"action": "check"}, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 422 and "has not agreed to the credit check" in refused.content.decode()
        assert gateway.calls == {}
        with schema_context(shop.schema_name):
            assert not CreditConsent.objects.exists()
            assert Contract.objects.get(pk=contract.pk).credit_checked_at is None
        assert clerk_client.post(url, {"action": "check", "consent": "yes"}).status_code == 302
        with schema_context(shop.schema_name):
            consent = CreditConsent.objects.select_related("witnessed_by").get(contract=contract)
            contract.refresh_from_db()
        assert (consent.channel, consent.witnessed_by.email) == ("in_person", "clerk@alpha.test")
        assert (contract.credit_score, contract.credit_source) == (712, "zhima")
        assert gateway.calls == {"zhima.credit.score.get": 1}
        zh = clerk_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "申请人已于" in zh and 'name="consent"' not in zh
    finally:
        gateway.stop()
        adapters_forget()


def test_the_customer_agrees_to_the_credit_check_on_their_own_signing_page(shop, owner_client, adopter):
    customer, pet = adopter
    # A score the owner checked elsewhere (with evidence) needs no consent at the counter: the phone asks for it.
    contract = _wizard(owner_client, shop, customer, pet,
                       {"action": "override", "score": "700", "reason": "Zhima report screenshot #12"})
    link = _link(shop, contract)
    phone = client_for(shop)
    # The consent is there to read before any code is sent.
    first = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="consent"' in first and "芝麻信用" in first and 'name="code"' not in first
    phone.post(f"/sign/{link.token}/", {"action": "send", "consent": "yes"})
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="consent" value="yes" required checked' in page  # ticked before sending: still ticked
    code = _code(shop, link)

    refused = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": code}, HTTP_ACCEPT_LANGUAGE="en")
    body = refused.content.decode()
    assert refused.status_code == 422 and body.count("Agree to the credit check to sign.") == 1
    assert 'class="h5-error"' not in body and 'id="consent-error">Agree to the credit check to sign.' in body
    assert "Tick the box to agree." not in body and f'value="{code}"' in body  # the typed code is kept
    with schema_context(shop.schema_name):
        link.refresh_from_db()
        contract.refresh_from_db()
        assert (link.verified_at, link.wrong_codes, contract.status) == (None, 0, ContractStatus.DRAFT)
        assert not CreditConsent.objects.filter(contract=contract).exists()

    signed = phone.post(f"/sign/{link.token}/", {"action": "sign", "code": code, "consent": "yes"},
                        HTTP_USER_AGENT="iPhone Safari", REMOTE_ADDR="203.0.113.5", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert signed.status_code == 302
    with schema_context(shop.schema_name):
        consent = CreditConsent.objects.get(contract=contract)
        contract.refresh_from_db()
        assert contract.status == ContractStatus.SIGNED
    assert (consent.channel, consent.witnessed_by, str(consent.ip), consent.user_agent) == (
        "customer", None, "203.0.113.5", "iPhone Safari")  # fmt: skip
    assert consent.text.startswith(f"I agree that {shop.name} reads my Zhima Credit score")


def test_a_consent_given_at_the_counter_is_shown_not_asked_again(shop, owner_client, adopter):
    customer, pet = adopter
    response = owner_client.post(f"/manage/signings/new/{customer.uuid}/", {"pet": str(pet.uuid)})
    plan_page = owner_client.get(response["Location"])
    version = re.search(rb'name="plan_version" value="(\d+)"', plan_page.content).group(1).decode()
    owner_client.post(response["Location"], {"plan_version": version})
    with schema_context(shop.schema_name):
        contract = Contract.objects.get(pet=pet)
    owner_client.post(f"/manage/signings/{contract.uuid}/credit/", {"action": "check", "consent": "yes"})
    owner_client.post(f"/manage/signings/{contract.uuid}/link/")
    link = _link(shop, contract)
    phone = client_for(shop)
    phone.post(f"/sign/{link.token}/", {"action": "send"})
    page = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="consent"' not in page and "You agreed to the credit check on" in page
    assert phone.post(f"/sign/{link.token}/", {"action": "sign", "code": _code(shop, link)}).status_code == 302
    with schema_context(shop.schema_name):
        assert CreditConsent.objects.filter(contract=contract).values_list("channel", flat=True).get() == "in_person"
