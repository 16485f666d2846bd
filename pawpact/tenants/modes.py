"""Test and live modes, as Stripe has them, for every shop and for the platform.

Every money record (contract, debit, refund, advance) is born in the mode of the shop
that made it and keeps it: `livemode`. Two rules follow, enforced by the adapters:
- sandbox providers (payment tokens, credit scores, SMS) act only for test-mode records;
  for a live-mode record they refuse (`sandbox_refuse_in_live`);
- a real provider is reached with the shop's credentials of the record's mode: test
  credentials talk to the provider's own sandbox gateway, live ones to the real one, and
  live keys never serve a test-mode record (`live_key_refuse_in_test`), so pretend money
  can never move real money.

The platform keeps the books of its own mode (`platform_livemode`, a deployment setting:
test in development, live in production): a live platform funds, counts and reports
live-mode facts only; a test-mode fact never enters them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from pawpact.tenants.enums import ShopMode
from pawpact.tenants.errors import LiveProviderInTestMode, SandboxRefusedInLiveMode
from pawpact.tenants.models import Shop


def platform_livemode() -> bool:
    return settings.PAWPACT_PLATFORM_MODE == ShopMode.LIVE


def current_shop() -> Shop | None:
    """The shop whose schema the connection is in (None in the public schema)."""
    schema = connection.schema_name
    if not schema or schema == get_public_schema_name():
        return None
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Shop) and tenant.schema_name == schema:
        return tenant
    return Shop.objects.filter(schema_name=schema).first()


def current_livemode() -> bool:
    """The mode new records are born in here: the shop's, or the platform's in the public schema."""
    shop = current_shop()
    return platform_livemode() if shop is None else shop.mode == ShopMode.LIVE


def sandbox_refuse_in_live(*, provider: str, livemode: bool) -> None:
    """A sandbox provider acts for test-mode records only."""
    if livemode:
        raise SandboxRefusedInLiveMode(
            _("%(provider)s is a sandbox: it works only in test mode, and this is live.") % {"provider": provider},
            fields={"mode": [_("Live mode uses the shop's verified providers only.")]},
        )


def live_key_refuse_in_test(*, provider: str, key_is_live: bool, livemode: bool) -> None:
    """A test-mode record never reaches a provider with live keys: pretend money stays pretend."""
    if key_is_live and not livemode:
        raise LiveProviderInTestMode(
            _("%(provider)s is set up with live keys: test-mode records never reach it.") % {"provider": provider},
            fields={"mode": [_("Test mode uses sandbox providers and test keys only.")]},
        )
