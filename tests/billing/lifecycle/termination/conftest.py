import pytest
import time_machine
from django.core.files.storage import storages
from django_tenants.utils import schema_context

from pawpact.loyalty import services as loyalty_services
from tests.billing.lifecycle.termination.helpers import NOW


@pytest.fixture
def in_shop(shop):
    with schema_context(shop.schema_name):
        yield shop


@pytest.fixture
def traveller():
    """Time stands still at NOW until the test moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded evidence goes to a throw-away MEDIA_ROOT (still one folder per shop schema)."""
    storage = storages["default"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # TenantFileSystemStorage caches MEDIA_ROOT/<schema> and does not listen to MEDIA_ROOT changes.
    storage.__dict__.pop("relative_media_root", None)
    yield tmp_path / "media"
    storage.__dict__.pop("relative_media_root", None)


@pytest.fixture(autouse=True)
def followups(monkeypatch):
    """Records each exit follow-up (survey + win-back) that loyalty sends when billing
    publishes contract.terminated, and still sends it."""
    calls: list[str] = []
    real = loyalty_services.exit_followup_send

    def recording(*, contract, **kwargs):
        calls.append(str(contract.uuid))
        return real(contract=contract, **kwargs)

    monkeypatch.setattr(loyalty_services, "exit_followup_send", recording)
    return calls
