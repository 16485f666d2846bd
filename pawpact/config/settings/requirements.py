"""What production needs from its environment, checked before any setting is built.

Standard library only, so a test can ask about any environment without loading settings.
"""
import base64
import binascii
from collections.abc import Mapping
from urllib.parse import urlsplit

NEW_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
REQUIRED = {
    "DJANGO_SECRET_KEY": f"at least 50 random characters, e.g. from {NEW_SECRET}",
    "DATABASE_URL": "the PostgreSQL database, postgres://user:password@host:5432/name",
    "REDIS_URL": "the Redis of the task queue and cache, redis://host:6379/0",
    "PAWPACT_BASE_DOMAIN": "the public site's domain (shops live at <slug>.<domain>); allowed hosts come from it",
}
LOCAL_DOMAINS = {"localhost", "127.0.0.1", "::1"}


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """One line per missing or unusable setting; empty when production may start."""
    value = {name: environ.get(name, "").strip() for name in (*REQUIRED, "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")}
    problems = [f"{name} is not set: {why}." for name, why in REQUIRED.items() if not value[name]]
    key = value["DJANGO_SECRET_KEY"]
    # Same bar as Django's security.W009, enforced as an error rather than a warning.
    if key and (len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 5):
        problems.append(
            f"DJANGO_SECRET_KEY is too weak: use at least 50 random characters, not starting with "
            f"'django-insecure' (e.g. from {NEW_SECRET})."
        )
    domain = value["PAWPACT_BASE_DOMAIN"]
    if domain.lower() in LOCAL_DOMAINS or any(mark in domain for mark in ("/", ":", "*", " ")):
        problems.append(
            f"PAWPACT_BASE_DOMAIN={domain} cannot be served: give the bare public domain, e.g. pawpact.example."
        )
    if value["STRIPE_SECRET_KEY"] and not value["STRIPE_WEBHOOK_SECRET"]:
        problems.append(
            "STRIPE_WEBHOOK_SECRET is not set while Stripe is enabled (STRIPE_SECRET_KEY is set): "
            "without it no Stripe webhook can be verified; copy the endpoint's signing secret (whsec_...)."
        )
    return problems + _mode_problems(environ)


def _fernet_key_ok(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (ValueError, binascii.Error):
        return False


def _mode_problems(environ: Mapping[str, str]) -> list[str]:
    problems = []
    for name in ("PAWPACT_SECRET_KEYS", "PAWPACT_FIELD_ENCRYPTION_KEY"):
        keys = [key.strip() for key in environ.get(name, "").split(",") if key.strip()]
        if any(not _fernet_key_ok(key) for key in keys):
            problems.append(
                f"{name} holds a key that is not a Fernet key (32 url-safe base64 bytes); make one with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'."
            )
    mode = environ.get("PAWPACT_DEFAULT_SHOP_MODE", "").strip()
    if mode and mode not in ("test", "live"):
        problems.append(f"PAWPACT_DEFAULT_SHOP_MODE={mode} is neither test nor live.")
    return problems + _local_gateway_problems(environ)


# Provider addresses the run command points at its local fake gateways (pawpact.config.local_gateways).
GATEWAY_SETTINGS = ("STRIPE_API_BASE", "PAWPACT_ALIPAY_TEST_GATEWAY", "PAWPACT_WECHAT_TEST_GATEWAY")


def _local_gateway_problems(environ: Mapping[str, str]) -> list[str]:
    """A provider on this machine is a fake one (the run command's): never production's."""
    problems = [
        f"{name}={environ[name].strip()} is a gateway on this machine (a local fake): "
        "unset it, or give the provider's own address."
        for name in GATEWAY_SETTINGS
        if (urlsplit(environ.get(name, "").strip()).hostname or "") in LOCAL_DOMAINS
    ]
    if environ.get("PAWPACT_FAKE_ALIPAY_KEY", "").strip():
        problems.append("PAWPACT_FAKE_ALIPAY_KEY is the local fake Alipay's key: unset it in production.")
    return problems


def production_message(problems: list[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"Production settings cannot start; set these in the environment:\n{lines}"
