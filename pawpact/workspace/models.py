"""The workspace's own rows: staff roles, the shop's profile, and the log of settings changes.

Roles: the owner is the shop's administrator account (is_superuser); every other staff
member has a row here (no row: a clerk, the least rights)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.workspace.enums import EventKind, Role


class StaffRole(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_role")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLERK)
    updated_at = models.DateTimeField(default=timezone.now)


class ShopProfile(models.Model):
    """What customers and staff see of the shop besides its name (one row per shop schema).

    The name lives on the public Shop row (the platform shows it too); files live in the
    shop's own media folder (tenant storage)."""

    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=80, blank=True)
    logo = models.FileField(_("logo"), upload_to="profile/", blank=True)
    # 统一社会信用代码: 18 characters on the business licence.
    licence_number = models.CharField(_("business licence number"), max_length=18, blank=True)
    licence_file = models.FileField(_("business licence"), upload_to="profile/", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)


class WorkspaceEvent(models.Model):
    """Who changed which setting or whose access, and when: the owner's audit trail."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    subject = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
