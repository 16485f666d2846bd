"""The Python client generated from the served schema (openapi-python-client, settings in
clients/python/config.yaml) drives the getting-started journey of docs/api.md over real HTTP:
registration with the emailed and texted codes, a pet, a contract, the credit check, signing,
the first debit in test mode, a list read page by page, and a refusal with its catalogue code.

The client is generated here from the schema this code serves rather than committed, so it
can never lag behind the schema; a schema the generator cannot turn into working calls fails."""
import importlib
import json
import re
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.customers.models import Pet
from tests.browser import app_server
from tests.conftest import host_of

CONFIG = Path(__file__).resolve().parents[2] / "clients" / "python" / "config.yaml"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PHONE = "13800138417"  # the sandbox scores …417 at 600: no deposit


@pytest.fixture(scope="module")
def pawpact_client(tmp_path_factory, django_db_setup, django_db_blocker):
    """The generated package, imported from a folder of its own."""
    folder = tmp_path_factory.mktemp("python-client")
    with django_db_blocker.unblock():
        from pawpact.tenants.models import Shop

        host = Shop.objects.get(slug="alpha").get_primary_domain().domain
        schema = APIClient(HTTP_HOST=host).get("/api/v1/schema.json")
    assert schema.status_code == 200
    (folder / "schema.json").write_text(json.dumps(schema.json()))
    generated = subprocess.run(
        [str(GENERATOR), "generate", "--path", "schema.json", "--config", str(CONFIG), "--meta", "none",
         "--output-path", "pawpact_client"],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Unable to" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("pawpact_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == "pawpact_client"]:
            del sys.modules[name]


def _cursor(next_url: str) -> str:
    return parse_qs(urlsplit(next_url).query)["cursor"][0]


def test_the_getting_started_journey_through_the_generated_client(pawpact_client, shop, shop_staff, monkeypatch):
    from pawpact_client import AuthenticatedClient, Client, models
    from pawpact_client.api.contracts import (
        contracts_activate_create,
        contracts_agreement_pdf_retrieve,
        contracts_agreement_retrieve,
        contracts_calendar_list,
        contracts_create,
        contracts_credit_check_create,
        contracts_credit_consent_create,
        contracts_list,
        contracts_payment_method_create,
        contracts_sign_create,
    )  # fmt: skip
    from pawpact_client.api.customers import customers_register_confirm_create, customers_register_create
    from pawpact_client.api.me import me_retrieve
    from pawpact_client.api.pets import pets_create, pets_list
    from pawpact_client.api.plans import plans_list
    from pawpact_client.api.sandbox import sandbox_sms_list

    cache.clear()
    host = host_of(shop)
    with app_server(monkeypatch) as server:
        base = f"http://127.0.0.1:{server.port}"
        anonymous = Client(base_url=base, headers={"Host": host}, raise_on_unexpected_status=True)
        staff = AuthenticatedClient(base_url=base, token=shop_staff.api_token, prefix="Token", headers={"Host": host})

        started = customers_register_create.sync_detailed(client=anonymous, body=models.CustomerRegisterRequest(
            email="li@example.com", password="pawpact-li-2026", name="Li Na", phone=PHONE,
            birth_date=date(1995, 4, 1),
        ))  # fmt: skip
        assert (started.status_code, started.parsed.status) == (202, "verification_sent")
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
        [text] = sandbox_sms_list.sync(client=staff, phone=PHONE).results
        sms_code = re.search(r"\b(\d{6})\b", text.text).group(1)
        registered = customers_register_confirm_create.sync(client=anonymous, body=models.RegistrationConfirmRequest(
            email="li@example.com", code=code, sms_code=sms_code,
        ))  # fmt: skip
        assert isinstance(registered, models.Token) and registered.registered, registered
        me = AuthenticatedClient(base_url=base, token=registered.token, prefix="Token", headers={"Host": host})
        assert me_retrieve.sync(client=me).customer_uuid == registered.customer.uuid

        # `current_version` is a PlanVersion in the schema: the client gives it typed attributes.
        [basic] = plans_list.sync(client=anonymous, code="basic").results
        version = basic.current_version.id
        pet = pets_create.sync(client=me, body=models.PetInputRequest(name="Mochi", species=models.SpeciesEnum.CAT),
                               idempotency_key=str(uuid.uuid4()))  # fmt: skip
        assert isinstance(pet, models.Pet), pet.to_dict()
        contract = contracts_create.sync(
            client=me, body=models.ContractCreateRequest(pet_uuid=pet.uuid, plan_version_id=version),
            idempotency_key=str(uuid.uuid4()),
        )
        assert contracts_credit_consent_create.sync(client=me, uuid=contract.uuid).text  # the applicant agrees
        checked = contracts_credit_check_create.sync(client=me, uuid=contract.uuid)
        assert (checked.credit_score, checked.deposit_minor) == (600, 0)
        assert contracts_agreement_retrieve.sync(client=me, uuid=contract.uuid).total_minor == 12 * 39900
        signed = contracts_sign_create.sync(client=me, uuid=contract.uuid, body=models.SignRequest(signer_name="Li Na"))
        assert signed.status == "signed", signed
        method = models.PaymentMethodInputRequest(rail=models.AttachableRailEnum.SANDBOX, token="tok_success")
        attached = contracts_payment_method_create.sync(client=me, uuid=contract.uuid, body=method)
        assert not isinstance(attached, models.Error), attached
        activated = contracts_activate_create.sync(client=me, uuid=contract.uuid, idempotency_key=str(uuid.uuid4()))
        assert activated.status == "active", activated
        calendar = contracts_calendar_list.sync(client=me, uuid=contract.uuid)
        assert [(period.number, period.status, period.amount_minor) for period in calendar.results[:2]] == [
            (1, "paid", 39900), (2, "scheduled", 39900)
        ]

        # A key reused with another body: the catalogue's code, and no second pet.
        key = str(uuid.uuid4())
        dog = models.PetInputRequest(name="Bao", species=models.SpeciesEnum.DOG)
        assert pets_create.sync(client=me, body=dog, idempotency_key=key).name == "Bao"
        cat = models.PetInputRequest(name="Bao", species=models.SpeciesEnum.CAT)
        refused = pets_create.sync_detailed(client=me, body=cat, idempotency_key=key)
        assert (refused.status_code, refused.parsed.code) == (422, "idempotency_key_reused")
        assert isinstance(refused.parsed, models.Error) and refused.parsed.message
        with server.db(), schema_context(shop.schema_name):
            names = Pet.objects.filter(owner__uuid=registered.customer.uuid).values_list("name", "species")
            assert sorted(names) == [("Bao", "dog"), ("Mochi", "cat")]

        # Lists are cursor pages: the customer's two pets, one a page.
        first = pets_list.sync(client=me, page_size=1)
        assert (first.object_, first.has_more, len(first.results)) == ("list", True, 1)
        second = pets_list.sync(client=me, page_size=1, cursor=_cursor(first.next_))
        assert (second.has_more, len(second.results)) == (False, 1)
        assert {first.results[0].name, second.results[0].name} == {"Bao", "Mochi"}
        assert [c.uuid for c in contracts_list.sync(client=staff, customer_uuid=registered.customer.uuid).results] == [
            contract.uuid
        ]

        # Metadata filters: the keys spelled as the API reads them (clients/python/README.md).
        staff.get_httpx_client().patch(f"/api/v1/contracts/{contract.uuid}", json={"metadata": {"crm_id": "C-1042"}})
        wanted = models.ContractsListMetadata.from_dict({"metadata[crm_id]": "C-1042"})
        assert [c.uuid for c in contracts_list.sync(client=staff, metadata=wanted).results] == [contract.uuid]
        other = models.ContractsListMetadata.from_dict({"metadata[crm_id]": "C-9999"})
        assert contracts_list.sync(client=staff, metadata=other).results == []
        # The agreement PDF: the generated function's bytes.
        pdf = contracts_agreement_pdf_retrieve.sync_detailed(client=me, uuid=contract.uuid)
        assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
