"""The demo shops' own Alipay app, WeChat Pay merchant and mini-program at the local fake gateways.

`./dev run` generates each demo shop's keys once into .pawpact/gateways/demo-<slug>.json
(pawpact.config.local_gateways.demo_merchants) and registers their public halves at the fakes
it starts. Once the fakes answer, this stores them on each demo shop as its test-mode
Alipay, WeChat Pay and WeChat mini-program credentials (encrypted like any others) and has the
fakes verify them, as the console's "verify" does, so a platform admin can fetch a demo shop's
Alipay and WeChat statements and its customers sign in with the fake WeChat's wx.login() codes
(docs/api.md, "WeChat mini-program"). The shops stay in test mode.

So that the Alipay statement has lines to match, each demo shop then gets one adopter paying
by Alipay 周期扣款: the contract is signed, the agreement signed on the fake Alipay's page (as
the adopter's phone would; the fake notifies the shop's /webhooks/alipay/ over HTTP, so the web
server must be up), and the contract started, which charges the deposit and period 1 through
Alipay. Every step is skipped when already done, so it runs at every start.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from pawpact.config.demo_alipay import alipay_adopter_seed
from pawpact.config.local_gateways import demo_merchants, demo_miniprogram
from pawpact.config.local_state import STATE_DIR
from pawpact.core.errors import DomainError
from pawpact.platform.golive import credential_verify
from pawpact.tenants.credentials import credential_get, credential_save
from pawpact.tenants.enums import Provider
from pawpact.tenants.errors import CredentialsMissing
from pawpact.tenants.models import Shop


@dataclass
class ProvidersReport:
    notes: list[str] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # "<slug>/<provider>"


def _wanted(merchant: dict[str, str], gateway_public_key: str) -> dict[str, tuple[dict, dict]]:
    """Per provider: (config, secrets) as the console's credentials form takes them."""
    mini_program = demo_miniprogram(merchant)
    return {
        Provider.ALIPAY: ({"app_id": merchant["alipay_app_id"]},
                          {"app_private_key": merchant["alipay_app_private_key"],
                           "alipay_public_key": gateway_public_key}),
        Provider.WECHAT: ({"mchid": merchant["mchid"], "appid": merchant["appid"],
                           "cert_serial_no": merchant["cert_serial_no"], "plan_id": merchant["plan_id"]},
                          {"private_key": merchant["wechat_private_key"], "apiv3_key": merchant["apiv3_key"]}),
        Provider.MINIPROGRAM: ({"appid": mini_program["miniprogram_appid"]},
                               {"app_secret": mini_program["miniprogram_secret"]}),
    }  # fmt: skip


def _stored_and_verified(shop: Shop, provider: str, config: dict) -> bool:
    try:
        stored = credential_get(shop_id=shop.pk, provider=provider, livemode=False, verified=True)
    except CredentialsMissing:
        return False
    return all(stored.config.get(name) == value for name, value in config.items())


def demo_providers_load(
    *, wait_seconds: float = 60, state_dir: Path = STATE_DIR, shops: dict[str, Shop] | None = None,
    seed_debits: bool = True,
) -> ProvidersReport:
    """`shops`: which shop gets each demo slug's credentials (the shop of that slug by default)."""
    report = ProvidersReport()
    gateway_public_key = os.environ.get("PAWPACT_PLATFORM_ALIPAY_PUBLIC_KEY", "")
    if not (os.environ.get("PAWPACT_FAKE_DEMO_MERCHANTS") and gateway_public_key):
        report.notes.append("The local fake gateways are not in use: the demo shops keep no provider credentials.")
        return report
    deadline = time.monotonic() + wait_seconds
    for slug, merchant in demo_merchants(state_dir).items():
        shop = shops.get(slug) if shops is not None else Shop.objects.filter(slug=slug).first()
        if shop is None:
            continue
        for provider, (config, secrets) in _wanted(merchant, gateway_public_key).items():
            if _stored_and_verified(shop, provider, config):
                continue
            credential_save(shop=shop, provider=provider, livemode=False, config=config, secrets=secrets, actor=None)
            _verify_when_up(shop, provider, deadline=deadline, report=report)
        if seed_debits and _stored_and_verified(shop, Provider.ALIPAY, {}):
            report.notes.append(f"{shop.slug}: {alipay_adopter_seed(shop=shop, wait_seconds=wait_seconds)}")
    return report


def _verify_when_up(shop: Shop, provider: str, *, deadline: float, report: ProvidersReport) -> None:
    """Ask the fake until it answers (it may still be starting) or the wait is over."""
    while True:
        try:
            row = credential_verify(shop=shop, provider=provider, livemode=False)
        except DomainError as error:
            row, error_text = None, error.message
        else:
            error_text = row.verification_error
        if row is not None and row.verified_at is not None:
            report.verified.append(f"{shop.slug}/{provider}")
            return
        if time.monotonic() >= deadline:
            report.notes.append(f"{shop.slug}: {provider} credentials not verified: {error_text}")
            return
        time.sleep(1)
