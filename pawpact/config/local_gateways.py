"""The run command's test platform talks to local fake providers, not to nobody.

Verifying a payout account and fetching a provider's statement need Alipay, WeChat Pay and
Stripe to answer. Without real provider settings, the run command starts the project's fake
gateways (pawpact.sandbox.gateways.local, the Procfile's `gateways` process) and gives every
process the settings below, so the demo can bind an Alipay receiver and fetch a statement
over the real signed protocols. Keys are generated once into .pawpact/gateways/ like the
checkout's other secrets. Production never gets these: its settings refuse a provider URL on
this machine (pawpact.config.settings.requirements), and a live shop still refuses every
sandbox value whatever the gateway.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key

from pawpact.config.local_state import secret_read_or_create
from pawpact.sandbox.gateways.base import private_pem, public_pem, rsa_key_new
from pawpact.sandbox.gateways.local import DEFAULT_PORT, ports

# The platform's Alipay app at the fake Alipay (any 16 digits would do: the fake trusts its key).
LOCAL_PLATFORM_ALIPAY_APP_ID = "2021000000000001"
# The demo shops (pawpact.config.demo) that get their own Alipay app and WeChat Pay merchant at the fakes.
DEMO_MERCHANT_SLUGS = ("happy-paws", "whisker-home")
# Any of these in the environment means real providers (or the operator's own fakes) are meant.
PROVIDER_SETTINGS = (
    "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "PAWPACT_PLATFORM_ALIPAY_APP_ID",
    "PAWPACT_ALIPAY_TEST_GATEWAY", "PAWPACT_WECHAT_TEST_GATEWAY",
)  # fmt: skip


def local_gateways_wanted(environ: Mapping[str, str]) -> bool:
    """Test settings, no provider setting given, and not switched off (PAWPACT_LOCAL_GATEWAYS=0)."""
    if environ.get("PAWPACT_LOCAL_GATEWAYS", "").strip() == "0":
        return False
    if environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
        return False
    return not any(environ.get(name, "").strip() for name in PROVIDER_SETTINGS)


def local_gateway_env(environ: Mapping[str, str], state_dir: Path) -> dict[str, str]:
    """The settings pointing the platform (and the gateways process) at the local fakes;
    empty when they are not wanted."""
    if not local_gateways_wanted(environ):
        return {}
    folder = state_dir / "gateways"
    pem = lambda: private_pem(rsa_key_new()).strip()  # noqa: E731  (as read back: stripped)
    gateway_key, _new = secret_read_or_create(folder / "alipay-gateway-key.pem", pem)
    app_key, _new = secret_read_or_create(folder / "platform-alipay-app-key.pem", pem)
    stripe_key, _new = secret_read_or_create(folder / "stripe-secret-key", lambda: f"sk_test_{secrets.token_hex(24)}")
    webhook, _new = secret_read_or_create(folder / "stripe-webhook-secret", lambda: f"whsec_{secrets.token_hex(24)}")
    base = int(environ.get("PAWPACT_GATEWAYS_PORT") or DEFAULT_PORT)
    where = ports(base)
    merchants = [_public_half(merchant) for merchant in demo_merchants(state_dir).values()]
    return {
        "PAWPACT_GATEWAYS_STATE_DIR": str(folder),
        "PAWPACT_FAKE_DEMO_MERCHANTS": json.dumps(merchants),
        "PAWPACT_GATEWAYS_PORT": str(base),
        "PAWPACT_FAKE_ALIPAY_KEY": gateway_key,
        "PAWPACT_PLATFORM_ALIPAY_APP_ID": LOCAL_PLATFORM_ALIPAY_APP_ID,
        "PAWPACT_PLATFORM_ALIPAY_APP_PRIVATE_KEY": app_key,
        "PAWPACT_PLATFORM_ALIPAY_PUBLIC_KEY": public_pem(load_pem_private_key(gateway_key.encode(), password=None)),
        "PAWPACT_ALIPAY_TEST_GATEWAY": f"http://127.0.0.1:{where['alipay']}/gateway.do",
        "PAWPACT_WECHAT_TEST_GATEWAY": f"http://127.0.0.1:{where['wechat']}",
        "STRIPE_API_BASE": f"http://127.0.0.1:{where['stripe']}",
        "STRIPE_SECRET_KEY": stripe_key,
        "STRIPE_WEBHOOK_SECRET": webhook,
    }


def _merchant_new(number: int) -> str:
    """One demo shop's Alipay app and WeChat Pay merchant, as their portals would issue them."""
    serial = secrets.token_hex(20).upper()
    return json.dumps({
        "alipay_app_id": f"20210000000001{number:02d}", "alipay_app_private_key": private_pem(rsa_key_new()).strip(),
        "mchid": f"19000001{number:02d}", "appid": f"wx{secrets.token_hex(8)}", "cert_serial_no": serial,
        "plan_id": f"{1000 + number}", "wechat_private_key": private_pem(rsa_key_new()).strip(),
        "apiv3_key": secrets.token_hex(16),
    })  # fmt: skip


def demo_merchants(state_dir: Path) -> dict[str, dict[str, str]]:
    """Every demo shop's credentials at the local fakes, by slug: made once into
    .pawpact/gateways/demo-<slug>.json (owner-only), the same for every process after."""
    folder = state_dir / "gateways"
    merchants = {}
    for number, slug in enumerate(DEMO_MERCHANT_SLUGS, start=1):
        text, _new = secret_read_or_create(folder / f"demo-{slug}.json", lambda number=number: _merchant_new(number))
        merchants[slug] = json.loads(text)
    return merchants


def demo_miniprogram(merchant: dict[str, str]) -> dict[str, str]:
    """A demo shop's mini-program at the fake WeChat: derived from the shop's generated merchant
    secrets, so checkouts made before mini-programs existed get one without a new file."""
    seed = hashlib.sha256(f"miniprogram:{merchant['apiv3_key']}".encode()).hexdigest()
    return {"miniprogram_appid": f"wx{seed[:16]}", "miniprogram_secret": seed[32:64]}


def _public_half(merchant: dict[str, str]) -> dict[str, str]:
    """What the fake providers know of a merchant: its ids and public keys (and the APIv3 key and
    the mini-program's AppSecret, which WeChat and the merchant share)."""
    public = lambda name: public_pem(load_pem_private_key(merchant[name].encode(), password=None))  # noqa: E731
    return {"alipay_app_id": merchant["alipay_app_id"], "alipay_public_key": public("alipay_app_private_key"),
            "mchid": merchant["mchid"], "appid": merchant["appid"], "cert_serial_no": merchant["cert_serial_no"],
            "wechat_public_key": public("wechat_private_key"), "apiv3_key": merchant["apiv3_key"],
            **demo_miniprogram(merchant)}  # fmt: skip
