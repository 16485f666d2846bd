"""A shop's provider credentials: entered once, checked, encrypted, never shown again.

`credential_save` validates what an admin typed (a malformed key is refused with the
field named, and nothing is written), normalises keys to PEM, encrypts the secret part
and resets verification; the provider's adapter then proves the credentials work and
records it with `credential_verification_record`. Adapters read them decrypted with
`credential_get`. Neither secrets nor their ciphertext are logged.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.tenants.enums import Provider
from pawpact.tenants.errors import CredentialsInvalid, CredentialsMissing
from pawpact.tenants.models import Shop, ShopCredential
from pawpact.tenants.secrets import secret_decrypt, secret_encrypt, secret_fingerprint

logger = logging.getLogger(__name__)
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class Credentials:
    """Decrypted credentials, for an adapter's use only (repr hides the secrets)."""

    id: int
    shop_id: int
    provider: str
    livemode: bool
    config: dict
    secrets: dict
    version: str  # changes whenever they are saved again: adapters cache by it

    def __repr__(self) -> str:
        return f"<Credentials {self.provider} shop={self.shop_id} live={self.livemode}>"


def _pem(value: str, kind: str) -> str:
    value = (value or "").strip()
    if value.startswith("-----BEGIN"):
        return value + "\n"
    body = "\n".join(textwrap.wrap(re.sub(r"\s+", "", value), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def rsa_private_key_clean(value: str) -> str:
    """A PEM RSA private key of at least 2048 bits (PKCS#8 or PKCS#1, bare base64 accepted)."""
    for kind in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        pem = _pem(value, kind)
        try:
            key = load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= MIN_RSA_BITS:
            return pem
    raise ValueError(_("Not an RSA private key of at least 2048 bits (PEM or base64)."))


def rsa_public_key_clean(value: str) -> str:
    pem = _pem(value, "PUBLIC KEY")
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise ValueError(_("Not an RSA public key of at least 2048 bits (PEM or base64)."))
    return pem


def _matching(pattern: str, message: str) -> Callable[[str], str]:
    def clean(value: str) -> str:
        value = (value or "").strip()
        if not re.fullmatch(pattern, value):
            raise ValueError(message)
        return value

    return clean


_APP_ID = _matching(r"\d{16}", gettext_lazy("An Alipay app id is 16 digits."))
_WECHAT_APP_ID = _matching(r"wx[0-9a-f]{16}", gettext_lazy("A WeChat app id looks like wx followed by 16 hex digits."))
_TEXT = _matching(r"[^\s].{0,119}", gettext_lazy("Enter the approved SMS signature name (at most 120 characters)."))


def _optional(clean: Callable[[str], str]) -> Callable[[str], str]:
    return lambda value: clean(value) if (value or "").strip() else ""


# What each provider needs: config fields (readable) and secret fields (encrypted), with their checks.
PROVIDER_FIELDS: dict[str, tuple[dict[str, Callable[[str], str]], dict[str, Callable[[str], str]]]] = {
    Provider.ALIPAY: (
        {"app_id": _APP_ID},
        {"app_private_key": rsa_private_key_clean, "alipay_public_key": rsa_public_key_clean},
    ),
    Provider.ZHIMA: (
        {"app_id": _APP_ID},
        {"app_private_key": rsa_private_key_clean, "alipay_public_key": rsa_public_key_clean},
    ),
    Provider.WECHAT: (
        {
            "mchid": _matching(r"\d{8,12}", gettext_lazy("A WeChat Pay merchant id is 8 to 12 digits.")),
            "appid": _WECHAT_APP_ID,
            "cert_serial_no": _matching(r"[0-9A-Fa-f]{8,40}", gettext_lazy("The certificate serial number is hexadecimal.")),
            "plan_id": _matching(r"\d{1,12}", gettext_lazy("The entrusted-debit template (plan) id is a number.")),
        },
        {
            "private_key": rsa_private_key_clean,
            "apiv3_key": _matching(r"[0-9A-Za-z]{32}", gettext_lazy("The APIv3 key is 32 letters and digits.")),
        },
    ),
    Provider.ALIYUN_SMS: (
        {
            "access_key_id": _matching(r"[0-9A-Za-z]{12,40}", gettext_lazy("An AccessKey ID is 12 to 40 letters and digits.")),
            "sign_name": _TEXT,
            "template_code": _matching(r"SMS_\d{6,12}", gettext_lazy("An SMS template code looks like SMS_123456789.")),
            # Aliyun approves signatures and templates per route: numbers outside the mainland
            # need ones approved for its international route, if the shop texts such numbers.
            "intl_sign_name": _optional(_TEXT),
            "intl_template_code": _optional(_matching(r"SMS_\d{6,12}", gettext_lazy("An SMS template code looks like SMS_123456789."))),
        },
        {
            "access_key_secret": _matching(
                r"[0-9A-Za-z]{20,60}", gettext_lazy("An AccessKey secret is 20 to 60 letters and digits.")
            )
        },
    ),  # fmt: skip
    Provider.EMAIL: (
        {
            "esp": _matching(r"postmark|sendgrid|brevo|resend", gettext_lazy("Choose Postmark, SendGrid, Brevo or Resend.")),
            "from_email": _matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", gettext_lazy("Enter the sender's email address.")),
        },
        {"api_key": _matching(r"[\x21-\x7e]{16,200}", gettext_lazy("The API key is 16 to 200 characters without spaces."))},
    ),
    # The AppSecret of 开发管理 → 开发设置 in the mini-program's admin console.
    Provider.MINIPROGRAM: (
        {"appid": _WECHAT_APP_ID},
        {"app_secret": _matching(r"[0-9a-fA-F]{32}", gettext_lazy("A mini-program AppSecret is 32 hex digits."))},
    ),
}


def _cleaned(provider: str, config: dict, secrets: dict) -> tuple[dict, dict]:
    config_fields, secret_fields = PROVIDER_FIELDS[provider]
    errors: dict[str, list[str]] = {}
    clean_config, clean_secrets = {}, {}
    for fields, source, target in ((config_fields, config, clean_config), (secret_fields, secrets, clean_secrets)):
        for name, clean in fields.items():
            try:
                target[name] = clean(str(source.get(name) or ""))
            except ValueError as error:
                errors[name] = [str(error)]
    if errors:
        raise CredentialsInvalid(_("These credentials cannot be used; nothing was saved."), fields=errors)
    return clean_config, clean_secrets


def credential_save(
    *, shop: Shop, provider: str, livemode: bool, config: dict, secrets: dict, actor: User | None,
    clock: Clock = default_clock,
) -> ShopCredential:  # fmt: skip
    """Store (or replace) a shop's credentials at `provider` for one mode, unverified."""
    if provider not in PROVIDER_FIELDS or shop.is_platform:
        raise CredentialsInvalid(_("Unknown provider."), fields={"provider": [_("Choose a provider from the list.")]})
    clean_config, clean_secrets = _cleaned(provider, config, secrets)
    with transaction.atomic():
        credential, _created = ShopCredential.objects.select_for_update().update_or_create(
            shop=shop,
            provider=provider,
            livemode=livemode,
            defaults={
                "config": clean_config,
                "secret_ciphertext": secret_encrypt(clean_secrets),
                "secret_fingerprint": secret_fingerprint(clean_secrets),
                "verified_at": None,
                "verification_error": "",
                "updated_at": clock.now(),
                "updated_by": actor,
            },
        )
    # Only the demo loader saves credentials without a signed-in person.
    saved_by = actor.get_username() if actor is not None else "the demo loader"
    logger.info("credentials %s of shop %s (live=%s) saved by %s", provider, shop.slug, livemode, saved_by)
    return credential


def credential_verification_record(*, credential_id: int, error: str = "", clock: Clock = default_clock) -> None:
    """What the provider answered when asked with these credentials: verified, or why not."""
    ShopCredential.objects.filter(pk=credential_id).update(
        verified_at=None if error else clock.now(), verification_error=error[:500]
    )


def credential_get(*, shop_id: int, provider: str, livemode: bool, verified: bool = True) -> Credentials:
    """The shop's decrypted credentials for `provider` in one mode; CredentialsMissing if none
    (or, with `verified`, none that the provider has accepted yet)."""
    row = ShopCredential.objects.filter(shop_id=shop_id, provider=provider, livemode=livemode).first()
    if row is None or (verified and not row.is_verified):
        raise CredentialsMissing(
            _("The shop has no verified %(provider)s credentials for %(mode)s.")
            % {"provider": Provider(provider).label, "mode": _("live mode") if livemode else _("test mode")},
            fields={"provider": [_("A platform admin enters and verifies them in the console.")]},
        )
    return Credentials(
        id=row.pk, shop_id=shop_id, provider=provider, livemode=livemode, config=dict(row.config),
        secrets=secret_decrypt(row.secret_ciphertext), version=f"{row.pk}:{row.updated_at.isoformat()}",
    )  # fmt: skip
