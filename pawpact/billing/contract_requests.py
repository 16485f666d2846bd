"""Requests about a contract: the applicant's consent to a credit check, a hold on its
shipments, a customer's pet-loss report."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pawpact.billing.consent_texts import consent_text
from pawpact.billing.enums import PetLossReportStatus


class ContractHold(models.Model):
    """Staff hold a contract's shipments (the customer is away, an address or a complaint is
    being sorted out); debits continue. At most one open hold per contract."""

    contract = models.ForeignKey("billing.Contract", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(max_length=200)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(released_at__isnull=True), name="contract_one_open_hold"
            )
        ]


class PetLossReport(models.Model):
    """A customer reports their pet's death or loss with evidence; the shop accepts it (the
    contract ends without penalty) or says why not. One open report per contract."""

    contract = models.ForeignKey("billing.Contract", on_delete=models.PROTECT, related_name="pet_loss_reports")
    evidence = models.FileField(upload_to="pet-loss-reports/%Y/%m/", blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=PetLossReportStatus.choices, default=PetLossReportStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="submitted"), name="pet_loss_report_one_open"
            )
        ]


class CreditConsent(models.Model):
    """The applicant's consent to a credit check with a real provider (personal information
    law: a credit score is read only with the person's explicit agreement), as they saw it:
    the wording in their language, when, and how it was given — on their own account, or in
    person at the counter with the staff member who witnessed it. One per contract."""

    class Channel(models.TextChoices):
        CUSTOMER = "customer", _("By the customer on their own account")
        IN_PERSON = "in_person", _("In person, witnessed by staff")

    contract = models.OneToOneField("billing.Contract", on_delete=models.PROTECT, related_name="credit_consent")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField()  # exactly as agreed
    text_sha256 = models.CharField(max_length=64)
    # Which wording (pawpact.billing.consent_texts) and its values, to show it in any language.
    text_key = models.CharField(max_length=40, blank=True, default="")
    text_params = models.JSONField(default=dict, blank=True)
    text_language = models.CharField(max_length=16, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    given_at = models.DateTimeField(default=timezone.now)

    @property
    def shown_text(self) -> str:
        """The agreed wording in the reader's language; the text as agreed when its version is unknown."""
        return consent_text(self.text_key, self.text_params) or self.text
