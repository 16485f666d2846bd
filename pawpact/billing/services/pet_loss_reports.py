"""A customer's report of their pet's death or loss, and the shop's decision on it.

The customer sends evidence from their phone (a vet's certificate, a photo, or a note);
nothing ends yet. Staff accept it, which ends the contract without penalty through
`contract_terminate_pet_loss` with the same evidence, or decline it with the reason,
which the customer reads on their page.
"""
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus, PetLossReportStatus
from pawpact.billing.errors import IllegalTransition, PetLossReportOpen
from pawpact.billing.models import Contract, PetLossReport, Termination
from pawpact.billing.services.termination import contract_terminate_pet_loss, pet_loss_evidence_check
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed


def pet_loss_report_submit(
    *, contract: Contract, evidence: UploadedFile | None, note: str, customer_user: User, clock: Clock = default_clock
) -> PetLossReport:
    """Record the report (evidence checked as for a termination); one open report per contract."""
    note = pet_loss_evidence_check(evidence=evidence, evidence_note=note)
    try:
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            if locked.status != ContractStatus.ACTIVE:
                raise IllegalTransition(_("Only a plan in force can be ended this way."))
            return PetLossReport.objects.create(
                contract=locked, evidence=evidence or "", note=note, submitted_by=customer_user, submitted_at=clock.now()
            )
    except IntegrityError as error:
        raise PetLossReportOpen(_("Your report is with the shop already.")) from error


def _open_report_lock(report: PetLossReport) -> PetLossReport:
    locked = PetLossReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != PetLossReportStatus.SUBMITTED:
        raise IllegalTransition(_("This report has been decided already."))
    return locked


def pet_loss_report_accept(*, report: PetLossReport, staff: User, clock: Clock = default_clock) -> Termination:
    with transaction.atomic():
        locked = _open_report_lock(report)
        evidence = File(locked.evidence.open("rb"), name=locked.evidence.name) if locked.evidence else None
        try:
            termination = contract_terminate_pet_loss(
                contract=locked.contract, evidence=evidence, evidence_note=locked.note, requested_by=staff, clock=clock
            )
        finally:
            if evidence is not None:
                evidence.close()
        locked.status, locked.decided_by, locked.decided_at = PetLossReportStatus.ACCEPTED, staff, clock.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return termination


def pet_loss_report_reject(*, report: PetLossReport, reason: str, staff: User, clock: Clock = default_clock) -> PetLossReport:
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 200:
        raise ValidationFailed(_("Some fields are invalid."), fields={"reason": [_("Tell the customer why, in 5 to 200 characters.")]})
    with transaction.atomic():
        locked = _open_report_lock(report)
        locked.status, locked.decided_by, locked.decided_at = PetLossReportStatus.REJECTED, staff, clock.now()
        locked.decision_note = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked
