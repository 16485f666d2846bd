"""What a terminated customer receives: an exit survey and a win-back offer.

Exit follow-up (`exit_followup_send`, run when billing publishes contract.terminated): a
SurveyResponse with a random token, answered on the shop's public page
`/survey/<token>/` (score 1–5 + comment), announced by a *service* message; and a
WinBackOffer (code, `BillingSettings.winback_first_month_discount`, default half
price, valid 30 days) sent as a *marketing* message (capped). Both once per contract,
and only to a customer with no active contract left: someone who ended one plan while
another runs has not left ("your plan has ended" would be false, and a win-back offer
for a customer who never went away is a discount for nothing).

Win-back redemption (`winback_redeem`): a new contract of the same customer, made
after the offer, gets the discount on its first month. Period 1 is collected at
activation by the signing flow at the monthly amount, and amounts must stay > 0,
so the half month is **credited against the next debit**: once the contract is
active, its first unpaid period after period 1 is reduced by
`apply_rate(monthly, rate)` (399.00 → 199.50 off period 2, which becomes 199.50),
the total drops by the same, and a balanced journal `winback.credit:<code>`
(DEFERRED_REVENUE +x, RECEIVABLE −x) records it. `winback_credit_apply` asks billing
for it (pawpact.billing.services.debit_credits), idempotent by the journal key; the
daily run applies it to newly active contracts.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus, JournalKind
from pawpact.billing.errors import IllegalTransition
from pawpact.billing.models import Contract, Journal
from pawpact.billing.services.debit_credits import next_debit_credit_apply
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from pawpact.core.links import site_url
from pawpact.core.money import Money, apply_rate
from pawpact.core.text import written_in
from pawpact.loyalty.errors import SurveyAnswered, WinBackExpired, WinBackRedeemed
from pawpact.loyalty.models import SurveyResponse, WinBackOffer
from pawpact.loyalty.selectors import TERMINATED_STATUSES
from pawpact.messaging.models import Category, Channel
from pawpact.messaging.services import message_send
from pawpact.tenants.models import Shop

logger = logging.getLogger(__name__)

# contract.terminated reasons (pawpact.core.events) whose customer gets the survey and the offer:
# not a completion (the renewal offer covers it) nor a shop closure (the shop is gone).
FOLLOWUP_REASONS = frozenset({"early_termination", "pet_loss", "cooling_off", "default"})
# The reasons that also get the win-back offer (and coupon). Not a cooling-off cancellation:
# that customer changed their mind within days and got everything back; they never were a
# paying customer who left, and a discount pushed at them minutes after saying no reads as
# pressure (and costs the shop a discount on someone who was never lost). They get the survey.
WINBACK_REASONS = FOLLOWUP_REASONS - {"cooling_off"}

WINBACK_VALID_DAYS = 30
WINBACK_TOPIC = "winback_offer"
SURVEY_TOPIC = "exit_survey"
FOLLOWUP_CHANNELS = (Channel.SMS.value, Channel.IN_APP.value)
SURVEY_COMMENT_MAX = 2000


# --- Exit follow-up: survey + win-back offer -------------------------------------------------


def _shop() -> Shop:
    return Shop.objects.get(schema_name=connection.schema_name)


def survey_url(token: str) -> str:
    return site_url(_shop().get_primary_domain().domain, f"/survey/{token}/")


def _winback_code() -> str:
    return "WB" + secrets.token_hex(5).upper()  # WB + 10 hex digits


def exit_followup_on_contract_terminated(*, payload: dict, clock: Clock = default_clock) -> None:
    """Subscriber of contract.terminated: the exit survey and win-back offer, for the
    reasons that call for them (a completed plan or a closed shop gets neither)."""
    if payload["reason"] in FOLLOWUP_REASONS:
        contract = Contract.objects.get(uuid=payload["contract_uuid"])
        exit_followup_send(contract=contract, clock=clock, with_offer=payload["reason"] in WINBACK_REASONS)


def exit_followup_send(
    *, contract: Contract, clock: Clock = default_clock, with_offer: bool = True
) -> tuple[SurveyResponse, WinBackOffer | None] | None:
    """Survey and (`with_offer`) win-back offer for a terminated contract's customer; once
    per contract. None (nothing sent) while the customer still has an active contract."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)
        if locked.status not in TERMINATED_STATUSES:
            raise IllegalTransition(
                _("Only a terminated contract gets an exit survey; this one is %(status)s.")
                % {"status": ContractStatus(locked.status).label}
            )
        if Contract.objects.filter(customer_id=locked.customer_id, status=ContractStatus.ACTIVE).exists():
            return None
        now = clock.now()
        survey = SurveyResponse.objects.filter(contract=locked).first()
        if survey is None:
            survey = SurveyResponse.objects.create(contract=locked, token=secrets.token_urlsafe(24), sent_at=now)
        offer = WinBackOffer.objects.filter(contract=locked).first()
        if offer is None and with_offer:
            offer = _winback_offer_create(contract=locked, now=now)
        shop = _shop()
        with translation.override(locked.customer.message_language):
            message_send(
                customer=locked.customer,
                topic=SURVEY_TOPIC,
                category=Category.SERVICE,
                channels=FOLLOWUP_CHANNELS,
                subject=_("How did we do?"),
                body=written_in(
                    locked.customer.language,
                    f"【{shop.name}】您的宠粮月付已结束。欢迎花一分钟告诉我们您的体验：{survey_url(survey.token)}",
                    f"Your plan has ended. Tell us how we did in one minute: {survey_url(survey.token)}",
                ),
                dedupe_key=f"exit_survey:{locked.uuid}",
                clock=clock,
            )
        if offer is None:
            return survey, None
        percent = _percent(offer.discount_rate)
        expires = offer.expires_at.astimezone(_local_tz()).date().isoformat()
        with translation.override(locked.customer.message_language):
            message_send(
                customer=locked.customer,
                topic=WINBACK_TOPIC,
                category=Category.MARKETING,
                channels=FOLLOWUP_CHANNELS,
                subject=_("Come back: your first month at a discount"),
                body=written_in(
                    locked.customer.language,
                    f"【{shop.name}】重新签约首月立减 {percent}%，优惠码 {offer.code}，{expires} 前有效。",
                    f"Sign again and get {percent}% off your first month with code {offer.code}, "
                    f"valid until {expires}.",
                ),
                dedupe_key=f"winback:{locked.uuid}",
                clock=clock,
            )
    return survey, offer


def _winback_offer_create(*, contract: Contract, now) -> WinBackOffer:
    rate = Decimal(billing_settings_get().winback_first_month_discount)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return WinBackOffer.objects.create(
                    customer_id=contract.customer_id,
                    contract=contract,
                    code=_winback_code(),
                    discount_rate=rate,
                    sent_at=now,
                    expires_at=now + timedelta(days=WINBACK_VALID_DAYS),
                )
        except IntegrityError:  # a code collision: draw another
            continue
    raise Conflict(_("Could not issue a win-back code; try again."))


def _percent(rate: Decimal) -> str:
    return format((Decimal(rate) * 100).normalize(), "f")


def _local_tz():
    from django.utils import timezone

    return timezone.get_default_timezone()


# --- Survey -----------------------------------------------------------------------------------


def survey_get(*, token: str) -> SurveyResponse:
    survey = (
        SurveyResponse.objects.select_related("contract__customer").filter(token=token).first()
        if isinstance(token, str) and token
        else None
    )
    if survey is None:
        raise NotFound(_("This survey link is not valid."))
    return survey


def survey_answer(*, token: str, score, comment: str = "", clock: Clock = default_clock) -> SurveyResponse:
    """Record the customer's answer (1–5 and an optional comment); once."""
    errors: dict[str, list[str]] = {}
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors["score"] = [_("Choose a score from 1 to 5.")]
    if not isinstance(comment, str):
        errors["comment"] = [_("Enter text.")]
    elif len(comment) > SURVEY_COMMENT_MAX:
        errors["comment"] = [_("Use at most %(max)d characters.") % {"max": SURVEY_COMMENT_MAX}]
    survey = survey_get(token=token)
    if errors:
        raise ValidationFailed(_("The answer is incomplete."), fields=errors)
    with transaction.atomic():
        locked = SurveyResponse.objects.select_for_update().get(pk=survey.pk)
        if locked.answered_at is not None:
            raise SurveyAnswered(_("Thank you: this survey has been answered already."))
        locked.score = score
        locked.answers = {"comment": comment.strip()}
        locked.answered_at = clock.now()
        locked.save(update_fields=["score", "answers", "answered_at"])
    return locked


# --- Win-back redemption ------------------------------------------------------------------------


def winback_offer_get(*, code: str) -> WinBackOffer:
    offer = (
        WinBackOffer.objects.filter(code=code.strip().upper()).first() if isinstance(code, str) and code else None
    )
    if offer is None:
        raise NotFound(_("Unknown win-back code."), fields={"code": [_("Unknown code.")]})
    return offer


def winback_redeem(*, offer: WinBackOffer, contract: Contract, clock: Clock = default_clock) -> WinBackOffer:
    """Attach the win-back discount to the customer's new contract (credited once it is active)."""
    with transaction.atomic():
        locked = WinBackOffer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
        target = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.redeemed_at is not None:
            if locked.redeemed_contract_id == target.pk:
                return locked
            raise WinBackRedeemed(_("This win-back code has been used already."))
        if clock.now() >= locked.expires_at:
            raise WinBackExpired(_("This win-back code has expired."))
        if target.customer_id != locked.customer_id:
            raise PermissionDenied(_("This win-back code belongs to another customer."))
        if target.pk == locked.contract_id or target.created_at < locked.sent_at:
            raise ValidationFailed(
                _("A win-back code applies to a new contract signed after the offer."),
                fields={"contract": [_("Not a new contract.")]},
            )
        if target.status not in (ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.ACTIVE):
            raise IllegalTransition(
                _("A win-back code cannot be used on a %(status)s contract.")
                % {"status": ContractStatus(target.status).label}
            )
        if WinBackOffer.objects.filter(redeemed_contract=target).exists():
            raise WinBackRedeemed(_("This contract has a win-back discount already."))
        locked.redeemed_at = clock.now()
        locked.redeemed_contract = target
        locked.save(update_fields=["redeemed_at", "redeemed_contract"])
        if target.status == ContractStatus.ACTIVE:
            winback_credit_apply(contract=target, clock=clock)
    return locked


def winback_credit_key(offer: WinBackOffer) -> str:
    return f"winback.credit:{offer.code}"


def winback_credit_apply(*, contract: Contract, clock: Clock = default_clock) -> Journal | None:
    """Credit the win-back discount against the active contract's next debit; once
    (billing's next_debit_credit_apply writes the period, the total and the journal).

    None when the contract redeemed no offer, is not active yet, or has no period to credit.
    """
    offer = WinBackOffer.objects.filter(redeemed_contract_id=contract.pk).first()
    if offer is None:
        return None
    monthly = Contract.objects.values_list("monthly_amount_minor", "currency").get(pk=contract.pk)
    credit = apply_rate(Money(monthly[0], monthly[1]), Decimal(offer.discount_rate))
    return next_debit_credit_apply(
        contract=contract,
        amount_minor=credit.amount_minor,
        key=winback_credit_key(offer),
        kind=JournalKind.WINBACK_CREDIT,
        memo=f"win-back {offer.code}: first month {_percent(offer.discount_rate)}% off",
    )


def winback_credit_run(*, clock: Clock = default_clock) -> int:
    """Apply every pending win-back credit of the current shop; how many were applied."""
    applied = 0
    pending = Contract.objects.filter(status=ContractStatus.ACTIVE, redeemed_winback__isnull=False).exclude(
        journals__kind=JournalKind.WINBACK_CREDIT
    )
    for contract in pending:
        if winback_credit_apply(contract=contract, clock=clock) is not None:
            applied += 1
    return applied
