from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from pawpact.tenants.enums import ShopEventKind, ShopRiskState, ShopState


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
    created_at = models.DateTimeField(_("created"), default=timezone.now)

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
