import pytest

from pawpact.billing.services import debits
from pawpact.payments.registry import rail_for


class RailSpy:
    """Records every idempotency key the real rail is asked to charge."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def rail_for(self, rail: str, *, livemode: bool):
        real = rail_for(rail, livemode=livemode)
        spy = self

        class Recording:
            name = real.name

            def charge(self, **kwargs):
                spy.keys.append(kwargs["idempotency_key"])
                return real.charge(**kwargs)

        return Recording()


@pytest.fixture
def rail_spy(monkeypatch) -> RailSpy:
    spy = RailSpy()
    monkeypatch.setattr(debits, "rail_for", spy.rail_for)
    return spy
