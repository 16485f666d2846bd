"""The credit-check consent keeps the exact text agreed and which wording it was; pages show
it in the reader's language (the customer's signing page, the staff credit step)."""

import hashlib

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.consent_texts import CREDIT_CHECK_V1
from pawpact.billing.models import CreditConsent
from tests.workspace.conftest import client_for
from tests.workspace.test_signing import _link

pytestmark = pytest.mark.django_db

EN = "I agree that Alpha Pets reads my Zhima Credit score"
ZH_START = "本人同意 Alpha Pets"


def _wizard_zh(owner_client, shop, customer, pet):
    """The staff member works in Chinese and records the consent at the counter."""
    import re

    owner_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = owner_client.post(f"/manage/signings/new/{customer.uuid}/", {"pet": str(pet.uuid)})
    plan_page = owner_client.get(response["Location"])
    version = re.search(rb'name="plan_version" value="(\d+)"', plan_page.content).group(1).decode()
    owner_client.post(response["Location"], {"plan_version": version})
    with schema_context(shop.schema_name):
        from pawpact.billing.models import Contract

        contract = Contract.objects.get(pet=pet)
    assert (
        owner_client.post(
            f"/manage/signings/{contract.uuid}/credit/", {"action": "check", "consent": "yes"}
        ).status_code
        == 302
    )
    assert owner_client.post(f"/manage/signings/{contract.uuid}/link/").status_code == 302
    return contract


def test_consent_given_in_chinese_is_shown_in_english_to_an_english_reader(shop, owner_client, adopter):
    contract = _wizard_zh(owner_client, shop, *adopter)
    with schema_context(shop.schema_name):
        consent = CreditConsent.objects.get(contract=contract)
    assert (consent.text_key, consent.text_params, consent.text_language) == (
        CREDIT_CHECK_V1,
        {"shop": "Alpha Pets"},
        "zh-hans",
    )
    assert consent.text.startswith(ZH_START) and EN not in consent.text  # the record stays as agreed
    assert consent.text_sha256 == hashlib.sha256(consent.text.encode()).hexdigest()

    phone = client_for(shop)
    link = _link(shop, contract)
    en = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert EN in en and ZH_START not in en
    zh = phone.get(f"/sign/{link.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ZH_START in zh and EN not in zh
    staff_en = owner_client.get(f"/manage/signings/{contract.uuid}/credit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert EN in staff_en


def test_a_consent_of_an_unknown_wording_shows_the_text_as_agreed(shop, owner_client, adopter):
    contract = _wizard_zh(owner_client, shop, *adopter)
    with schema_context(shop.schema_name):
        CreditConsent.objects.filter(contract=contract).update(text_key="", text="Agreed wording of old")
    page = client_for(shop).get(f"/sign/{_link(shop, contract).token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Agreed wording of old" in page
