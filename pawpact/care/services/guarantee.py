"""The health guarantee: a customer claims, with a vet's evidence, that their adopted pet
fell ill with a listed condition within the shop's window (30 days from adoption unless the
shop says otherwise); staff decide a replacement pet, a refund, or decline with a reason.

Either accepted outcome means the adopted pet is lost to its family, so the pet's plan in
force ends under billing's pet-loss rule (no penalty, deposit refunded) through
`contract_terminate_pet_loss` with the claim's evidence; a replacement pet is handed to the
customer and can be signed onto a new plan.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.billing.services.termination import contract_terminate_pet_loss
from pawpact.care.errors import GuaranteeClaimInvalid, GuaranteeClaimStateInvalid
from pawpact.care.pet_enums import GuaranteeClaimStatus
from pawpact.care.pet_models import GuaranteeClaim, GuaranteeSettings
from pawpact.care.uploads import upload_errors
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer, Pet


def guarantee_settings_get() -> GuaranteeSettings:
    found = GuaranteeSettings.objects.order_by("pk").first()
    return found or GuaranteeSettings.objects.create()


@transaction.atomic
def guarantee_settings_update(*, window_days: int, conditions: list[str]) -> GuaranteeSettings:
    conditions = [c.strip() for c in conditions if c and c.strip()]
    errors: dict[str, list[str]] = {}
    if not 1 <= window_days <= 365:
        errors["window_days"] = [_("Between 1 and 365 days.")]
    if not conditions:
        errors["conditions"] = [_("List at least one condition.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    found = guarantee_settings_get()
    found.window_days, found.conditions = window_days, conditions
    found.save(update_fields=["window_days", "conditions"])
    return found


def guarantee_window_end(pet: Pet) -> date | None:
    """The last day a claim for this pet is accepted, or None when its adoption date is unknown."""
    if pet.adoption_date is None:
        return None
    return pet.adoption_date + timedelta(days=guarantee_settings_get().window_days)


def _claim_errors(*, pet: Pet, customer: Customer, condition: str, diagnosed_on: date, evidence, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    if pet.owner_id != customer.pk:
        return {"pet": [_("Choose one of your own pets.")]}
    listed = {c.casefold(): c for c in guarantee_settings_get().conditions}
    if condition.strip().casefold() not in listed:
        errors["condition"] = [_("The guarantee covers: %(list)s.") % {"list": ", ".join(listed.values())}]
    window_end = guarantee_window_end(pet)
    if window_end is None or today > window_end:
        errors["pet"] = [_("The health guarantee for this pet has ended.")]
    elif diagnosed_on < pet.adoption_date or diagnosed_on > today:
        errors["diagnosed_on"] = [_("The diagnosis falls between the adoption and today.")]
    if evidence is None:
        errors["evidence"] = [_("Upload the vet's diagnosis (photo or PDF).")]
    elif upload_errors(evidence, allow_pdf=True):
        errors["evidence"] = upload_errors(evidence, allow_pdf=True)
    return errors


def guarantee_claim_submit(
    *, pet: Pet, customer: Customer, condition: str, diagnosed_on: date, evidence, note: str = "",
    clock: Clock = default_clock,
) -> GuaranteeClaim:
    """File a claim for the customer's own pet within the window, with the vet's evidence."""
    errors = _claim_errors(
        pet=pet, customer=customer, condition=condition, diagnosed_on=diagnosed_on, evidence=evidence, today=clock.today()
    )
    if errors:
        raise GuaranteeClaimInvalid(_("This claim cannot be accepted."), fields=errors)
    listed = {c.casefold(): c for c in guarantee_settings_get().conditions}
    contract = Contract.objects.filter(pet=pet, customer=customer, status=ContractStatus.ACTIVE).first()
    try:
        with transaction.atomic():
            return GuaranteeClaim.objects.create(
                pet=pet, customer=customer, contract=contract, condition=listed[condition.strip().casefold()],
                diagnosed_on=diagnosed_on, evidence=evidence, note=note.strip()[:2000], submitted_at=clock.now(),
            )
    except IntegrityError as error:
        raise GuaranteeClaimStateInvalid(_("A claim for this pet is with the shop already.")) from error


def _open_claim_lock(claim: GuaranteeClaim) -> GuaranteeClaim:
    locked = GuaranteeClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != GuaranteeClaimStatus.SUBMITTED:
        raise GuaranteeClaimStateInvalid(_("This claim has been decided already."))
    return locked


def _end_contract(claim: GuaranteeClaim, staff: User, clock: Clock) -> None:
    contract = claim.contract
    if contract is None or Contract.objects.get(pk=contract.pk).status != ContractStatus.ACTIVE:
        return
    note = _("Health guarantee: %(condition)s diagnosed on %(day)s.") % {
        "condition": claim.condition, "day": f"{claim.diagnosed_on:%Y-%m-%d}",
    }
    with claim.evidence.open("rb") as handle:
        contract_terminate_pet_loss(
            contract=contract, evidence=File(handle, name=claim.evidence.name), evidence_note=note,
            requested_by=staff, clock=clock,
        )


def guarantee_claim_decide(
    *, claim: GuaranteeClaim, outcome: str, staff: User, note: str = "", replacement_pet: Pet | None = None,
    clock: Clock = default_clock,
) -> GuaranteeClaim:
    """Replacement (a shop pet without an owner goes to the customer) or refund; both end the plan by the pet-loss rule."""
    errors: dict[str, list[str]] = {}
    if outcome not in (GuaranteeClaimStatus.REPLACEMENT, GuaranteeClaimStatus.REFUND):
        errors["outcome"] = [_("Choose a replacement or a refund.")]
    if outcome == GuaranteeClaimStatus.REPLACEMENT and (replacement_pet is None or replacement_pet.owner_id is not None):
        errors["replacement_pet"] = [_("Choose one of the shop's pets without an owner.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    with transaction.atomic():
        locked = _open_claim_lock(claim)
        _end_contract(locked, staff, clock)
        if outcome == GuaranteeClaimStatus.REPLACEMENT:
            Pet.objects.filter(pk=replacement_pet.pk).update(owner=locked.customer, adoption_date=clock.today())
            locked.replacement_pet = replacement_pet
        locked.status, locked.decided_by, locked.decided_at = outcome, staff, clock.now()
        locked.decision_note = " ".join(note.split())[:200]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "replacement_pet"])
    return locked


def guarantee_claim_decline(*, claim: GuaranteeClaim, reason: str, staff: User, clock: Clock = default_clock) -> GuaranteeClaim:
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 200:
        raise ValidationFailed(_("Some fields are invalid."), fields={"reason": [_("Tell the customer why, in 5 to 200 characters.")]})
    with transaction.atomic():
        locked = _open_claim_lock(claim)
        locked.status, locked.decided_by, locked.decided_at = GuaranteeClaimStatus.DECLINED, staff, clock.now()
        locked.decision_note = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked
