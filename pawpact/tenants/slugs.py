"""Rules for a shop's address (<slug>.<base domain>)."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40
_SLUG_CHARACTERS = re.compile(r"^[a-z0-9-]+\Z")

# Names that belong to the platform or would confuse customers.
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "platform", "console", "app", "static", "media", "mail",
        "smtp", "ftp", "help", "support", "status", "docs", "blog", "login", "signup",
        "account", "accounts", "auth", "billing", "pay", "payments", "public", "shop",
        "shops", "pawpact", "template", "test", "dev", "staging", "cdn", "assets",
    }
)  # fmt: skip


def validate_slug(value: str) -> None:
    if not SLUG_MIN_LENGTH <= len(value) <= SLUG_MAX_LENGTH:
        raise ValidationError(
            _("Use %(min)d to %(max)d characters."),
            code="length",
            params={"min": SLUG_MIN_LENGTH, "max": SLUG_MAX_LENGTH},
        )
    if not _SLUG_CHARACTERS.match(value):
        raise ValidationError(
            _("Use only lowercase letters, digits and hyphens."), code="characters"
        )
    if value.startswith("-") or value.endswith("-"):
        raise ValidationError(_("Do not start or end with a hyphen."), code="hyphen_edge")
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved."), code="reserved")


def schema_name_for(slug: str) -> str:
    """Schema names avoid quoting trouble: hyphens become underscores (slugs have none)."""
    return "shop_" + slug.replace("-", "_")
