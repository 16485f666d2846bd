"""One demo adopter per demo shop paying by Alipay 周期扣款, through the local fake Alipay
(pawpact.config.demo_providers): so the demo shop's Alipay statement has lines to match."""

from __future__ import annotations

import time
import urllib.parse
from datetime import date, timedelta

from django_tenants.utils import tenant_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, Plan
from pawpact.billing.services.activation import contract_activate
from pawpact.billing.services.agreements import agreement_sign_begin
from pawpact.billing.services.credit import credit_consent_record_by_link
from pawpact.billing.services.signing import application_create, application_credit_check, contract_sign
from pawpact.core.errors import DomainError
from pawpact.customers.enums import Species
from pawpact.customers.models import Customer
from pawpact.customers.services import customer_create, pet_create, phone_normalize
from pawpact.payments import gateways
from pawpact.sandbox.gateways.base import local_request, local_status
from pawpact.tenants.models import Shop

# The sandbox scores …250 at 500: a deposit is due, so Alipay charges the deposit and period 1.
ADOPTER = {"name": "Qian Yu 钱宇", "phone": "13900019250", "birth_date": date(1991, 2, 14)}
PET = {"name": "Nuomi 糯米", "species": Species.CAT.value, "breed": "Scottish Fold 折耳"}
SIGNING_IP = "203.0.113.10"
USER_AGENT = "Pawpact demo loader (Alipay adopter)"


def alipay_adopter_seed(*, shop: Shop, wait_seconds: float = 60) -> str:
    """The adopter's contract, signed, its Alipay agreement signed and the contract started;
    what was done (or why not), in one line."""
    try:
        with tenant_context(shop):
            customer = Customer.objects.filter(phone=phone_normalize(ADOPTER["phone"])).first()
            contract = Contract.objects.filter(customer=customer).first() if customer else None
            if contract is not None and contract.status != ContractStatus.SIGNED:
                return "the Alipay adopter is there already"
            contract = contract or _signed_contract(shop)
            if contract is None:
                return "no Basic plan on sale: no Alipay adopter"
            sign_url = "" if _pays_by_alipay(contract) else agreement_sign_begin(contract=contract, rail="alipay").url
        # The adopter's phone, outside the shop's schema: the fake notifies the shop's web server meanwhile.
        if sign_url and not _web_answers(gateways.notify_url(shop, "alipay"), wait_seconds=wait_seconds):
            return "the shop's web server never answered: the agreement is signed at the next start"
        if sign_url and not _agree(sign_url):
            return "the fake Alipay's signing page refused the agreement"
        with tenant_context(shop):
            if not _agreement_arrived(contract, wait_seconds=wait_seconds):
                return "the fake Alipay's agreement never reached the shop (is the web server up?)"
            contract_activate(contract=Contract.objects.get(pk=contract.pk))
    except DomainError as error:
        return f"the Alipay adopter was not started: {error.message}"
    return "an adopter pays by Alipay (deposit and period 1 charged there today)"


def _signed_contract(shop: Shop) -> Contract | None:
    plan = Plan.objects.filter(code="basic", is_active=True).first()
    version = plan.versions.order_by("-version").first() if plan is not None else None
    if version is None:
        return None
    customer = customer_create(**ADOPTER)
    pet = pet_create(owner=customer, birthday=date.today() - timedelta(days=300), adoption_date=date.today(), **PET)
    contract = application_create(customer=customer, pet=pet, plan_version_id=version.pk)
    credit_consent_record_by_link(contract=contract, shop_name=shop.name, ip=SIGNING_IP, user_agent=USER_AGENT)
    contract = application_credit_check(contract=contract)
    return contract_sign(contract=contract, signer_name=ADOPTER["name"], ip=SIGNING_IP, user_agent=USER_AGENT)


def _pays_by_alipay(contract: Contract) -> bool:
    return Contract.objects.filter(pk=contract.pk, payment_method__rail="alipay").exists()


def _web_answers(url: str, *, wait_seconds: float) -> bool:
    """The shop's web server answers (any status) at `url`'s host, which the fake Alipay notifies."""
    deadline = time.monotonic() + wait_seconds
    while True:
        root = urllib.parse.urlsplit(url)._replace(path="/", query="").geturl()
        if local_status(local_request(root), timeout=3) != 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(1)


def _agree(sign_url: str) -> bool:
    """Agree on the fake Alipay's signing page, as the adopter's phone would."""
    status = local_status(local_request(sign_url, data=urllib.parse.urlencode({"agree": "1"}).encode()))
    return status in (200, 302)


def _agreement_arrived(contract: Contract, *, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while not _pays_by_alipay(contract):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True
