"""Credit checks (Zhima-style scores, 350–950) and the deposit rule they decide.

A `CreditProvider` scores a customer; the sandbox provider is a real local
implementation (deterministic, no network). Staff may instead enter a score they
saw elsewhere, with the evidence. Either way the decision is recorded on the
draft contract: a score of 600 or more waives the deposit, below 600 the plan
version's deposit is due before the contract starts.
"""
import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import get_language

from pawpact.accounts.models import User
from pawpact.billing.consent_texts import CURRENT_CREDIT_CHECK, consent_text
from pawpact.billing.enums import ContractStatus, CreditSource, DepositStatus
from pawpact.billing.errors import CreditCheckFailed, CreditConsentMissing, IllegalTransition
from pawpact.billing.models import Contract, CreditConsent
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import PermissionDenied, ValidationFailed
from pawpact.customers.models import Customer
from pawpact.payments.errors import ProviderRefused, RailNotConfigured
from pawpact.payments.zhima import ZhimaCredit
from pawpact.tenants.errors import CredentialsMissing

MIN_SCORE = 350
MAX_SCORE = 950
DEPOSIT_WAIVER_SCORE = 600


@dataclass(frozen=True)
class CreditReport:
    score: int
    source: CreditSource
    evidence: str


class CreditProvider(Protocol):
    def score(self, *, customer: Customer) -> CreditReport:
        """The customer's current credit score, with what it was based on."""
        ...


class SandboxCreditProvider:
    """Deterministic scores for the embedded default and the tests.

    The last three digits of the customer's phone, 000–999, map linearly onto
    350–950: score = 350 + n × 600 // 999. So "…000" scores 350, "…999" scores 950,
    "…416" scores 599 (deposit due) and "…417" scores 600 (deposit waived).
    """

    is_sandbox = True

    def score(self, *, customer: Customer) -> CreditReport:
        digits = re.sub(r"\D", "", customer.phone)[-3:].rjust(3, "0")
        suffix = int(digits)
        score = MIN_SCORE + suffix * (MAX_SCORE - MIN_SCORE) // 999
        return CreditReport(
            score=score, source=CreditSource.SANDBOX, evidence=f"sandbox: phone ending {digits} → {score}"
        )


sandbox_provider = SandboxCreditProvider()


class ZhimaCreditProvider:
    """The customer's Zhima score, read with the shop's Zhima app (after the customer authorised it)."""

    is_sandbox = False

    def __init__(self, adapter: ZhimaCredit) -> None:
        self.adapter = adapter

    def score(self, *, customer: Customer) -> CreditReport:
        check_key = f"credit:{customer.uuid}:{default_clock.now().date().isoformat()}"
        try:
            answer = self.adapter.score(mobile=re.sub(r"\D", "", customer.phone)[-11:], check_key=check_key)
        except ProviderRefused as refused:
            raise CreditCheckFailed(
                _("Zhima gave no score: %(reason)s") % {"reason": refused.message},
                fields={"score": [_("Ask the customer to authorise the check in Alipay, or enter a score with evidence.")]},
            ) from None
        return CreditReport(score=answer.score, source=CreditSource.ZHIMA, evidence=f"zhima biz_no {answer.biz_no}")


def credit_provider_for(*, livemode: bool) -> CreditProvider:
    """The shop's Zhima app for the mode; in test mode without one, the sandbox. Live mode never
    falls back to the sandbox: without verified live Zhima credentials, staff enter the score."""
    try:
        return ZhimaCreditProvider(ZhimaCredit.for_current_shop(livemode=livemode))
    except (CredentialsMissing, RailNotConfigured):
        if not livemode:
            return sandbox_provider
    raise CredentialsMissing(
        _("No credit provider is set up for live mode: enter the score you checked, with its evidence."),
        fields={"score": [_("Enter the score and where it comes from.")]},
    )


def credit_record_staff_score(
    *, contract: Contract, score: int, evidence: str, staff: User, clock: Clock = default_clock
) -> Contract:
    """A staff member records a score they checked themselves, with the evidence (e.g. a screenshot reference)."""
    errors: dict[str, list[str]] = {}
    if not (isinstance(score, int) and not isinstance(score, bool) and MIN_SCORE <= score <= MAX_SCORE):
        errors["score"] = [_("A credit score is a whole number from 350 to 950.")]
    evidence = evidence.strip() if isinstance(evidence, str) else ""
    if not evidence:
        errors["evidence"] = [_("Say where the score comes from (report number, screenshot, …).")]
    if errors:
        raise ValidationFailed(_("The credit score cannot be recorded."), fields=errors)
    if staff is None or not staff.is_staff:
        raise PermissionDenied(_("Only shop staff can enter a credit score."))
    report = CreditReport(score=score, source=CreditSource.STAFF, evidence=f"{evidence} (entered by {staff.email})")
    return credit_decision_record(contract=contract, report=report, clock=clock)


def deposit_discounts(*, contract: Contract) -> int:
    """What the shop's programmes take off this contract's deposit (settings.PAWPACT_DEPOSIT_DISCOUNTS:
    loyalty's referral discount), so billing applies it without importing the apps above it."""
    return sum(import_string(path)(contract=contract) for path in settings.PAWPACT_DEPOSIT_DISCOUNTS)


def credit_decision_open_check(*, contract: Contract) -> None:
    """The credit decision is made on a draft; once signed (or ended), it is final."""
    if contract.status != ContractStatus.DRAFT:
        raise IllegalTransition(
            _("The credit decision of a %(status)s contract cannot change.")
            % {"status": ContractStatus(contract.status).label}
        )


def credit_decision_record(*, contract: Contract, report: CreditReport, clock: Clock = default_clock) -> Contract:
    """Store the credit decision on a draft contract and apply the deposit rule.

    A newer decision replaces an older one while the contract is a draft (staff may
    override a sandbox score with evidence, but a provider check never replaces a
    staff score); once signed, the decision is final.
    """
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("plan_version").get(pk=contract.pk)
        credit_decision_open_check(contract=contract)
        if contract.credit_source == CreditSource.STAFF and report.source != CreditSource.STAFF:
            raise IllegalTransition(
                _("A score entered by staff with evidence stands; the provider's check cannot replace it.")
            )
        contract.credit_score = report.score
        contract.credit_source = report.source
        contract.credit_evidence = report.evidence
        contract.credit_checked_at = clock.now()
        deposit = contract.plan_version.deposit_minor
        if report.score >= DEPOSIT_WAIVER_SCORE or deposit == 0:
            contract.deposit_minor, contract.deposit_status = 0, DepositStatus.WAIVED
        else:
            deposit -= min(deposit, deposit_discounts(contract=contract))
            contract.deposit_minor = deposit
            contract.deposit_status = DepositStatus.DUE if deposit else DepositStatus.WAIVED
        contract.save(
            update_fields=[
                "credit_score",
                "credit_source",
                "credit_evidence",
                "credit_checked_at",
                "deposit_minor",
                "deposit_status",
            ]
        )
    return contract


def credit_consent_text(*, shop_name: str) -> str:
    """What the applicant agrees to, in the active language (stored as they saw it)."""
    return consent_text(CURRENT_CREDIT_CHECK, {"shop": shop_name})


def credit_consent_record(
    *, contract: Contract, user: User, shop_name: str, ip: str = "", user_agent: str = "", clock: Clock = default_clock
) -> CreditConsent:
    """Record the applicant's consent to the credit check: given on their own account, or in
    person before a staff member (who is recorded). Giving it again keeps the first record."""
    if user is None or not (user.is_staff or user.pk == contract.customer.user_id):
        raise PermissionDenied(_("Only the applicant, or staff they are with, can record their consent."))
    if contract.status != ContractStatus.DRAFT:
        raise IllegalTransition(_("Consent to the credit check is given before the contract is signed."))
    own = user.pk == contract.customer.user_id
    return _consent_keep(contract=contract, witnessed_by=None if own else user, shop_name=shop_name, ip=ip,
                         user_agent=user_agent, clock=clock)  # fmt: skip


def credit_consent_record_by_link(
    *, contract: Contract, shop_name: str, ip: str = "", user_agent: str = "", clock: Clock = default_clock
) -> CreditConsent:
    """The applicant agreed on their own phone, on the signing page their SMS code opens
    (the caller checks the code in the same transaction). Giving it again keeps the first record."""
    if contract.status != ContractStatus.DRAFT:
        raise IllegalTransition(_("Consent to the credit check is given before the contract is signed."))
    return _consent_keep(contract=contract, witnessed_by=None, shop_name=shop_name, ip=ip, user_agent=user_agent,
                         clock=clock)  # fmt: skip


def _consent_keep(*, contract: Contract, witnessed_by: User | None, shop_name: str, ip: str, user_agent: str,
                  clock: Clock) -> CreditConsent:  # fmt: skip
    text = credit_consent_text(shop_name=shop_name)
    version = {"text_key": CURRENT_CREDIT_CHECK, "text_params": {"shop": shop_name}, "text_language": get_language() or ""}
    consent, _created = CreditConsent.objects.get_or_create(
        contract=contract,
        defaults={
            "channel": CreditConsent.Channel.CUSTOMER if witnessed_by is None else CreditConsent.Channel.IN_PERSON,
            "witnessed_by": witnessed_by, "text": text, **version,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "ip": ip or None,
            "user_agent": (user_agent or "")[:255], "given_at": clock.now(),
        },
    )  # fmt: skip
    return consent


def credit_consent_require(*, contract: Contract, provider: CreditProvider) -> None:
    """A provider reads a person's credit data: only with their recorded consent, in test mode
    too, so that staff practise on test contracts the same step live ones need."""
    if not CreditConsent.objects.filter(contract_id=contract.pk).exists():
        raise CreditConsentMissing(
            _("The applicant has not agreed to the credit check yet."),
            fields={"consent": [_("Ask the applicant to agree to the credit check first.")]},
        )
