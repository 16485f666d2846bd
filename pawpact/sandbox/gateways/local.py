"""The fake Alipay, WeChat Pay and Stripe of a local test platform, in one process.

    python -m pawpact.sandbox.gateways.local

The run command (pawpact.config.devstack) starts it as the Procfile's `gateways` process
when no real provider settings are given, and points the test platform at it
(pawpact.config.local_gateways): Alipay on PAWPACT_GATEWAYS_PORT (8710 by default), WeChat
Pay on the next port, Stripe on the one after. The keys come from the environment the run
command sets, generated once into the checkout's .pawpact/: the gateway's own Alipay key
(PAWPACT_FAKE_ALIPAY_KEY, whose public half the platform verifies answers with), the
platform's Alipay app (PAWPACT_PLATFORM_ALIPAY_APP_ID / _APP_PRIVATE_KEY, registered here
as the app the gateway trusts), and the Stripe test key it accepts (STRIPE_SECRET_KEY).

The accounts this Alipay knows (`DEMO_PAYEES`) are the ones a demo owner can bind as an
分账 receiver; any other account, or a holder name that differs, is refused with Alipay's
reason, as Alipay would. The demo shops' own Alipay apps and WeChat Pay merchants
(PAWPACT_FAKE_DEMO_MERCHANTS: their public halves, generated once by the run command) are
registered too, so a demo shop's statements can be fetched with its own credentials, and so are
their mini-programs (app id and AppSecret), so their customers can sign in with wx.login()
codes the fake WeChat issues (pawpact.sandbox.gateways.wechat_miniprogram).

With PAWPACT_GATEWAYS_STATE_DIR each fake keeps its state in a JSON file there
(pawpact.sandbox.gateways.state), loaded at start: a restart keeps trades, agreements,
registered apps and bills, so earlier days' statements and queries still answer.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key

from pawpact.sandbox.gateways.alipay import FakeAlipay
from pawpact.sandbox.gateways.base import public_pem
from pawpact.sandbox.gateways.stripe import FakeStripe
from pawpact.sandbox.gateways.wechat import FakeWechat

DEFAULT_PORT = 8710
# Alipay accounts (user id or login) and their holders' real names, as the fake Alipay knows them.
DEMO_PAYEES = {
    "2088102146225135": "杭州快乐爪爪宠物店",
    "payouts@happypaws.cn": "杭州快乐爪爪宠物店",
    "2088102146225136": "Alpha Pets Ltd",
}

# Connected accounts the fake Stripe knows: one that can be paid, one still onboarding.
DEMO_STRIPE_ACCOUNTS = {
    "acct_1PawpactDemoPays": {"payouts_enabled": True},
    "acct_1PawpactDemoOnboarding": {"payouts_enabled": False},
}


@dataclass
class LocalGateways:
    alipay: FakeAlipay
    wechat: FakeWechat
    stripe: FakeStripe

    def stop(self) -> None:
        for gateway in (self.alipay, self.wechat, self.stripe):
            gateway.stop()


def ports(base: int) -> dict[str, int]:
    """Where each fake listens, from the first port."""
    return {"alipay": base, "wechat": base + 1, "stripe": base + 2}


def local_gateways_start(environ: Mapping[str, str], *, base_port: int | None = None) -> LocalGateways:
    """The three fakes, started with the keys in `environ` (see the module's docstring);
    base_port 0 takes free ports (tests)."""
    base = int(environ.get("PAWPACT_GATEWAYS_PORT") or DEFAULT_PORT) if base_port is None else base_port
    where = ports(base) if base else {"alipay": 0, "wechat": 0, "stripe": 0}
    stripe_key = environ.get("STRIPE_SECRET_KEY", "")
    alipay, wechat = FakeAlipay(), FakeWechat()
    stripe = FakeStripe(secret_keys={stripe_key} if stripe_key else None)
    if environ.get("PAWPACT_GATEWAYS_STATE_DIR"):
        folder = Path(environ["PAWPACT_GATEWAYS_STATE_DIR"])
        for name, gateway in (("alipay", alipay), ("wechat", wechat), ("stripe", stripe)):
            gateway.persist_to(folder / f"{name}-state.json")
    if environ.get("PAWPACT_FAKE_ALIPAY_KEY"):
        alipay.key = load_pem_private_key(environ["PAWPACT_FAKE_ALIPAY_KEY"].encode(), password=None)
    app_key = environ.get("PAWPACT_PLATFORM_ALIPAY_APP_PRIVATE_KEY", "")
    if environ.get("PAWPACT_PLATFORM_ALIPAY_APP_ID") and app_key:
        app_public = public_pem(load_pem_private_key(app_key.encode(), password=None))
        alipay.app_register(app_public, app_id=environ["PAWPACT_PLATFORM_ALIPAY_APP_ID"])
    _demo_merchants_register(json.loads(environ.get("PAWPACT_FAKE_DEMO_MERCHANTS") or "[]"), alipay, wechat)
    alipay.payees.update(DEMO_PAYEES)
    stripe.accounts.update(DEMO_STRIPE_ACCOUNTS)
    return LocalGateways(
        alipay=alipay.start(port=where["alipay"]),
        wechat=wechat.start(port=where["wechat"]),
        stripe=stripe.start(port=where["stripe"]),
    )


def _demo_merchants_register(merchants: list[dict], alipay: FakeAlipay, wechat: FakeWechat) -> None:
    """Each demo shop's Alipay app, WeChat Pay merchant and mini-program, as the providers' portals
    would have registered them (public keys only: the private halves stay with the shop)."""
    for merchant in merchants:
        alipay.app_register(merchant["alipay_public_key"], app_id=merchant["alipay_app_id"])
        wechat.merchant_register(merchant["mchid"], merchant["wechat_public_key"], merchant["cert_serial_no"],
                                 merchant["apiv3_key"], merchant["appid"])  # fmt: skip
        if merchant.get("miniprogram_appid"):
            wechat.miniprogram_register(merchant["miniprogram_appid"], merchant["miniprogram_secret"])


def main() -> int:
    gateways = local_gateways_start(os.environ)
    print(f"Fake Alipay on {gateways.alipay.gateway_url}, WeChat Pay on {gateways.wechat.url}, "
          f"Stripe on {gateways.stripe.url}", flush=True)  # fmt: skip
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stopped.set())
    stopped.wait()
    gateways.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
