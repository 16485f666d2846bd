"""Zhima credit scores through Alipay's open platform (the fake gateway); the sandbox in test mode only."""

import hashlib

import pytest

from pawpact.billing.enums import CreditSource, DepositStatus
from pawpact.accounts.models import User
from pawpact.billing.errors import CreditCheckFailed, CreditConsentMissing
from pawpact.billing.models import Contract, CreditConsent
from pawpact.billing.services.credit import credit_consent_record
from pawpact.core.errors import PermissionDenied
from pawpact.customers.models import Customer
from pawpact.billing.services.signing import application_create, application_credit_check
from pawpact.customers.services import customer_create, pet_create
from pawpact.payments.gateways import adapters_forget
from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from pawpact.tenants.credentials import credential_save, credential_verification_record
from pawpact.tenants.errors import CredentialsMissing, SandboxRefusedInLiveMode
from pawpact.billing.services.credit import sandbox_provider
from pawpact.tenants.models import Shop
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, NOW, counts, phone_ending


@pytest.fixture
def fake_zhima(settings):
    gateway = FakeAlipay().start()
    settings.PAWPACT_GATEWAYS = {**settings.PAWPACT_GATEWAYS,
                                 "zhima": {"live": gateway.gateway_url, "test": gateway.gateway_url}}  # fmt: skip
    adapters_forget()
    yield gateway
    gateway.stop()
    adapters_forget()


def _zhima_credentials(shop, gateway, *, livemode=False) -> str:
    key = rsa_key_new()
    app_id = gateway.app_register(public_pem(key))
    row = credential_save(shop=shop, provider="zhima", livemode=livemode, config={"app_id": app_id}, actor=None,
                          secrets={"app_private_key": private_pem(key), "alipay_public_key": gateway.public_key_pem})  # fmt: skip
    credential_verification_record(credential_id=row.pk)
    adapters_forget()
    return app_id


def _draft(basic, suffix="000", *, consent=True) -> Contract:
    customer = customer_create(name="Adopter", phone=phone_ending(suffix), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=customer, name="Mimi", species="cat")
    contract = application_create(customer=customer, pet=pet, plan_version_id=basic.pk)
    if consent:  # given at the counter, witnessed by a clerk
        clerk = User.objects.create_user(f"clerk-{suffix}@alpha.test", "x-Secret-123", name="Clerk", is_staff=True)
        credit_consent_record(contract=contract, user=clerk, shop_name="Alpha Pets", ip="203.0.113.9")
    return contract


def test_a_shop_with_a_zhima_app_scores_through_alipay(basic, in_shop, clock, fake_zhima):
    app_id = _zhima_credentials(in_shop, fake_zhima)
    contract = _draft(basic, "000")  # the sandbox would say 350; Zhima says 712
    fake_zhima.zhima_authorise(app_id, contract.customer.phone[-11:], 712)
    contract = application_credit_check(contract=contract, clock=clock)
    assert (contract.credit_score, contract.credit_source, contract.credit_checked_at) == (712, CreditSource.ZHIMA, NOW)
    assert (contract.deposit_minor, contract.deposit_status) == (0, DepositStatus.WAIVED)
    assert contract.credit_evidence.startswith("zhima biz_no ZM")
    assert fake_zhima.calls == {"zhima.credit.score.get": 1}


def test_without_recorded_consent_zhima_is_never_asked_and_nothing_is_written(basic, in_shop, clock, fake_zhima):
    app_id = _zhima_credentials(in_shop, fake_zhima)
    contract = _draft(basic, consent=False)
    fake_zhima.zhima_authorise(app_id, contract.customer.phone[-11:], 712)
    before = counts()
    with pytest.raises(CreditConsentMissing) as refused:
        application_credit_check(contract=contract, clock=clock)
    assert (refused.value.code, refused.value.http_status) == ("credit_consent_missing", 422)
    assert fake_zhima.calls == {} and counts() == before
    assert Contract.objects.filter(pk=contract.pk, credit_checked_at__isnull=True).exists()


def test_consent_is_kept_as_the_applicant_saw_it_once_per_contract(basic, in_shop, clock):
    contract = _draft(basic)
    consent = CreditConsent.objects.get(contract=contract)
    assert (consent.channel, consent.witnessed_by.email, consent.ip) == ("in_person", "clerk-000@alpha.test", "203.0.113.9")
    assert "Alpha Pets" in consent.text and consent.text_sha256 == hashlib.sha256(consent.text.encode()).hexdigest()
    customer_user = User.objects.create_user("adopter@alpha.test", "x-Secret-123", name="Adopter")
    Customer.objects.filter(pk=contract.customer_id).update(user=customer_user)
    contract.refresh_from_db()
    again = credit_consent_record(contract=contract, user=customer_user, shop_name="Alpha Pets")
    assert again.pk == consent.pk and CreditConsent.objects.count() == 1
    stranger = User.objects.create_user("stranger@alpha.test", "x-Secret-123", name="Stranger")
    other = _draft(basic, "001", consent=False)
    with pytest.raises(PermissionDenied):
        credit_consent_record(contract=other, user=stranger, shop_name="Alpha Pets")
    assert not CreditConsent.objects.filter(contract=other).exists()


def test_the_sandbox_too_needs_the_applicants_consent(basic, in_shop, clock):
    contract = _draft(basic, "417", consent=False)
    before = counts()
    with pytest.raises(CreditConsentMissing) as refused:
        application_credit_check(contract=contract, clock=clock)
    assert refused.value.code == "credit_consent_missing" and "consent" in refused.value.fields
    assert counts() == before
    assert Contract.objects.filter(pk=contract.pk, credit_checked_at__isnull=True, credit_score__isnull=True,
                                   deposit_minor=0).exists()  # fmt: skip
    assert not CreditConsent.objects.filter(contract=contract).exists()
    credit_consent_record(contract=contract, user=contract.customer.user or User.objects.create_user(
        "clerk-x@alpha.test", "x-Secret-123", name="Clerk", is_staff=True), shop_name="Alpha Pets")  # fmt: skip
    contract = application_credit_check(contract=contract, clock=clock)
    assert (contract.credit_score, contract.credit_source) == (600, CreditSource.SANDBOX)


def test_without_the_customers_consent_nothing_is_recorded(basic, in_shop, clock, fake_zhima):
    _zhima_credentials(in_shop, fake_zhima)
    contract = _draft(basic)
    before = counts()
    with pytest.raises(CreditCheckFailed) as refused:
        application_credit_check(contract=contract, clock=clock)
    assert "ZMCREDIT.authentication_fail" in refused.value.message or "用户未授权" in refused.value.message
    assert counts() == before
    assert Contract.objects.filter(pk=contract.pk, credit_checked_at__isnull=True, credit_score__isnull=True).exists()


def test_a_live_shop_needs_live_zhima_credentials_and_never_gets_the_sandbox(basic, in_shop, clock, fake_zhima):
    _zhima_credentials(in_shop, fake_zhima)  # test credentials only
    contract = _draft(basic)
    Contract.objects.filter(pk=contract.pk).update(livemode=True)
    Shop.objects.filter(pk=in_shop.pk).update(mode="live")
    contract.refresh_from_db()
    with pytest.raises(CredentialsMissing):
        application_credit_check(contract=contract, clock=clock)
    with pytest.raises(SandboxRefusedInLiveMode):
        application_credit_check(contract=contract, provider=sandbox_provider, clock=clock)
    assert Contract.objects.get(pk=contract.pk).credit_checked_at is None
    app_id = _zhima_credentials(in_shop, fake_zhima, livemode=True)
    fake_zhima.zhima_authorise(app_id, contract.customer.phone[-11:], 580)
    contract = application_credit_check(contract=contract, clock=clock)
    assert (contract.credit_score, contract.deposit_status) == (580, DepositStatus.DUE)


def test_a_test_shop_without_zhima_keeps_the_sandbox(basic, in_shop, clock):
    contract = application_credit_check(contract=_draft(basic, "417"), clock=clock)
    assert (contract.credit_score, contract.credit_source) == (600, CreditSource.SANDBOX)
