"""The back office lists how contracts ended (read-only) and serves pet-loss evidence to
logged-in staff only."""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.models import Termination
from pawpact.billing.services.termination import contract_terminate_pet_loss
from tests.billing.lifecycle.termination.helpers import adopt
from tests.conftest import SHOP_PASSWORD, host_of

PDF = b"%PDF-1.4\n% vet certificate\n"


def test_staff_see_terminations_and_download_the_evidence(shop, traveller):
    with schema_context(shop.schema_name):
        contract = adopt()
        upload = SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf")
        termination = contract_terminate_pet_loss(contract=contract, evidence=upload, evidence_note="Vet report.")
    office = Client(HTTP_HOST=host_of(shop))
    url = f"/admin/billing/termination/{termination.pk}/evidence/"

    anonymous = office.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    login = office.post("/admin/login/?next=/admin/", {"username": shop.owner.email, "password": SHOP_PASSWORD})
    assert login.status_code == 302
    page = office.get(f"/admin/billing/termination/{termination.pk}/change/").content.decode()
    assert "¥4,389.00" in page and "¥500.00" in page and url in page
    assert 'name="_save"' not in page and "/media/" not in page  # read-only, no public file link
    download = office.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    with schema_context(shop.schema_name):
        assert Termination.objects.count() == 1
