"""Roles of the shop's staff. The owner is the shop's administrator account (is_superuser);
every other staff member has a row here (no row: a clerk, the least rights)."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from pawpact.workspace.enums import Role


class StaffRole(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_role")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLERK)
    updated_at = models.DateTimeField(default=timezone.now)
