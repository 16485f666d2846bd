"""The demo's Alipay adopter: the contract signed, the agreement signed on the fake Alipay's
page (its notification reaching the shop's webhook over HTTP), the contract started through
Alipay, and the day's Alipay statement matching the shop's books line by line."""
from datetime import datetime

from django_tenants.utils import schema_context

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract, CreditConsent, DebitAttempt
from pawpact.billing.services.reconciliation import reconciliation_run_shop
from pawpact.config.demo_alipay import ADOPTER, alipay_adopter_seed
from pawpact.payments.gateways import adapters_forget
from pawpact.sandbox.gateways.alipay import BEIJING
from tests.browser import app_server
from tests.conftest import host_of
from tests.payments.gateways import alipay_credentials, fake_alipay  # noqa: F401  (the fixture)


def test_the_demo_alipay_adopter_pays_through_alipay_and_the_statement_matches(shop, fake_alipay, monkeypatch):  # noqa: F811
    alipay_credentials(shop, fake_alipay)
    with app_server(monkeypatch) as server:
        monkeypatch.setattr("pawpact.payments.gateways.notify_url",
                            lambda shop, provider: f"http://{host_of(shop)}:{server.port}/webhooks/{provider}/")
        adapters_forget()
        done = alipay_adopter_seed(shop=shop, wait_seconds=5)
        again = alipay_adopter_seed(shop=shop, wait_seconds=5)
    assert done == "an adopter pays by Alipay (deposit and period 1 charged there today)"
    assert again == "the Alipay adopter is there already"
    with schema_context(shop.schema_name):
        contract = Contract.objects.select_related("payment_method").get(customer__name=ADOPTER["name"])
        assert (contract.status, contract.payment_method.rail, contract.livemode) == (ContractStatus.ACTIVE,
                                                                                      "alipay", False)  # fmt: skip
        assert CreditConsent.objects.filter(contract=contract).exists()
        assert list(DebitAttempt.objects.filter(rail="alipay").values_list("status", flat=True)) == ["succeeded"]
        assert reconciliation_run_shop(day=datetime.now(BEIJING).date()) == {"alipay/test": 0}
    app_id = next(iter(fake_alipay.apps))
    lines = fake_alipay.statement_rows(app_id, datetime.now(BEIJING).date().isoformat())
    assert len(lines) == 2 and len(fake_alipay.agreements) == 1  # deposit and period 1; one agreement, kept once
    assert sorted(float(line["amount"]) for line in lines) == sorted(
        [contract.deposit_minor / 100, contract.monthly_amount_minor / 100])  # fmt: skip
