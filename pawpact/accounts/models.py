"""People who log in.

The app is installed in the public schema (platform admins, shop owners) and in
every shop schema (that shop's staff and customers), so a user exists only in the
schema it was created in.
"""
from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name or self.email


class ApiDevice(models.Model):
    """One signed-in device (an app, a mini-program, a browser): its short-lived access token
    and its refresh token, both stored as SHA-256 digests only. Refreshing rotates both; the
    refresh tokens it gave out before are kept in `ApiRetiredRefresh`, so one presented again
    (a stolen copy racing the real device) revokes the device, as OAuth 2.0's refresh token
    rotation recommends."""

    uuid = models.UUIDField(_("device id"), unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_devices")
    name = models.CharField(_("device name"), max_length=100, blank=True)
    # The dated API version this device's answers keep unless a request names another.
    api_version = models.CharField(max_length=10, blank=True)
    access_digest = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_digest = models.CharField(max_length=64, unique=True)
    refresh_expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signed-in device")
        verbose_name_plural = _("signed-in devices")
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_device_user_live")]


class ApiRetiredRefresh(models.Model):
    """A refresh token that was already exchanged: presenting it again revokes its device."""

    digest = models.CharField(max_length=64, unique=True)
    device = models.ForeignKey(ApiDevice, on_delete=models.CASCADE, related_name="retired_refreshes")
    retired_at = models.DateTimeField(default=timezone.now)


class WeChatIdentity(models.Model):
    """A WeChat user (their mini-program openid) linked to a login of this shop."""

    openid = models.CharField(max_length=128, unique=True)
    unionid = models.CharField(max_length=128, blank=True)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="wechat_identity")
    linked_at = models.DateTimeField(default=timezone.now)


class ApiOrigin(models.Model):
    """A web origin (the shop's own H5 frontend on its domain) allowed to call this shop's API
    from a browser: answered with CORS headers. Set by the owner; no origin is allowed by default."""

    uuid = models.UUIDField(_("id"), unique=True, default=uuid4, editable=False)
    origin = models.CharField(_("origin"), max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("allowed API origin")
        verbose_name_plural = _("allowed API origins")


class ApiKey(models.Model):
    """A secret key for the shop's own servers (an ERP, a CRM, a mini-program's backend): it
    acts as the owner who made it, with their staff permissions, until revoked. As Stripe's,
    it is shown once and only its SHA-256 is stored; its mode is in its prefix (`sk_test_`,
    `sk_live_`) so a test key can never act on a live shop, nor the reverse."""

    uuid = models.UUIDField(_("id"), unique=True, default=uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100)
    livemode = models.BooleanField(_("live mode"))
    digest = models.CharField(max_length=64, unique=True)
    last4 = models.CharField(max_length=4)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys")
    # The dated API version its answers keep unless a request names another (pawpact.api.versioning).
    api_version = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("secret API key")
        verbose_name_plural = _("secret API keys")
