"""What the Chinese rails share: where their gateways are, per mode, and the shop's
adapters cached briefly so the debit run does not decrypt keys once per debit."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from pawpact.core.links import site_url
from pawpact.core.money import Money
from pawpact.payments.errors import RailNotConfigured
from pawpact.tenants.credentials import Credentials, credential_get
from pawpact.tenants.errors import CredentialsMissing
from pawpact.tenants.models import Shop
from pawpact.tenants.modes import current_shop

CACHE_SECONDS = 30.0
T = TypeVar("T")
_cache: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


def gateway_url(provider: str, *, livemode: bool) -> str:
    """The provider's gateway for that mode (settings.PAWPACT_GATEWAYS[provider]["live"|"test"])."""
    url = settings.PAWPACT_GATEWAYS.get(provider, {}).get("live" if livemode else "test", "")
    if not url:
        raise RailNotConfigured(
            _("No %(mode)s gateway is configured for %(provider)s.")
            % {"mode": _("live") if livemode else _("test"), "provider": provider}
        )
    return url


def notify_url(shop: Shop, provider: str) -> str:
    """Where the provider notifies this shop: its own host, so the notification is handled in its schema."""
    return site_url(shop.get_primary_domain().domain, f"/webhooks/{provider}/")


def adapter_for_current_shop(provider: str, *, livemode: bool, build: Callable[[Credentials, str], T]) -> T:
    """The current shop's adapter for `provider` in that mode, built from its verified
    credentials and kept CACHE_SECONDS (a credential change is seen within that time)."""
    shop = current_shop()
    if shop is None:
        raise CredentialsMissing(_("Provider credentials belong to a shop; this is the platform."))
    key = (provider, shop.pk, livemode)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    adapter = build(credential_get(shop_id=shop.pk, provider=provider, livemode=livemode), notify_url(shop, provider))
    with _lock:
        _cache[key] = (now + CACHE_SECONDS, adapter)
    return adapter


def adapters_forget() -> None:
    """Drop cached adapters (credentials changed; tests)."""
    with _lock:
        _cache.clear()


def out_trade_no(idempotency_key: str) -> str:
    """The provider's order number for one of our keys: 32 hex digits (both rails allow
    letters and digits only, at most 32/64 characters), the same for every retry."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def yuan(amount: Money) -> str:
    """Alipay's amounts: yuan with two decimals, from fen."""
    return f"{Decimal(amount.amount_minor) / 100:.2f}"


def fen(value: str) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())
