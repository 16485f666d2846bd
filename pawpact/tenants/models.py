from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from pawpact.tenants.enums import Provider, ShopEventKind, ShopMode, ShopRiskState, ShopState


def shop_mode_default() -> str:
    """New shops start in the deployment's mode: test in development, live in production."""
    return settings.PAWPACT_DEFAULT_SHOP_MODE


class Shop(TenantMixin):
    """A pet adoption shop: one PostgreSQL schema, one sub-domain.

    The public site is a Shop row too (schema `public`), because django-tenants
    routes every host through this table.
    """

    name = models.CharField(_("shop name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ShopState.choices, default=ShopState.PROVISIONING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_shops",
    )
    risk_state = models.CharField(
        _("risk state"), max_length=24, choices=ShopRiskState.choices, default=ShopRiskState.HEALTHY
    )
    # Test mode moves pretend money (sandbox providers only), live mode real money.
    mode = models.CharField(_("mode"), max_length=8, choices=ShopMode.choices, default=shop_mode_default)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Set when a deploy's migrations failed on this shop's schema (left as it was):
    # its hosts show a maintenance page until a rerun migrates it.
    migration_error = models.TextField(_("migration error"), blank=True, default="")
    migration_failed_at = models.DateTimeField(_("migration failed at"), null=True, blank=True)

    # Schemas are provisioned from the template (pawpact.tenants.provisioning) and
    # shops are deactivated, never dropped with their data.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.schema_name == get_public_schema_name()

    @property
    def is_ready(self) -> bool:
        return self.state == ShopState.ACTIVE

    @property
    def is_live(self) -> bool:
        return self.mode == ShopMode.LIVE

    @property
    def may_sign(self) -> bool:
        return self.is_ready and self.risk_state != ShopRiskState.BLOCKED_NEW_SIGNINGS


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class ShopEvent(models.Model):
    """Audit trail of a shop's life: created, deactivated, reactivated."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=ShopEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]


class LoginHandoff(models.Model):
    """A one-time ticket that logs a freshly signed-up owner into their shop.

    Sessions live per schema and cookies per host, so the public site cannot log
    anyone into a shop directly; it leaves a ticket the shop's host redeems once.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class SchemaTemplate(models.Model):
    """The DDL of a fully migrated shop schema, for one state of the migrations."""

    migration_state = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class SpareSchema(models.Model):
    """A shop schema replayed from the template ahead of time: signup renames one into
    place instead of building it, so the signup path does not grow with the schema."""

    schema_name = models.CharField(max_length=63, unique=True)
    migration_state = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)


class ShopCredential(models.Model):
    """A shop's credentials at one provider, for one mode.

    Identifiers that are not secret (app id, merchant id, certificate serial, SMS sign
    name) are kept readable in `config`; keys are kept only as `secret_ciphertext`,
    encrypted with the deployment's key (pawpact.tenants.secrets), and shown again to
    nobody: pages show `secret_fingerprint`.
    """

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="credentials")
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    livemode = models.BooleanField(_("live"))
    config = models.JSONField(default=dict)
    secret_ciphertext = models.TextField()
    secret_fingerprint = models.CharField(max_length=16)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["shop_id", "provider", "-livemode"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "provider", "livemode"], name="credential_one_per_mode")
        ]

    def __repr__(self) -> str:  # never the secret, not even encrypted
        return f"<ShopCredential {self.shop_id} {self.provider} live={self.livemode} {self.secret_fingerprint}>"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
