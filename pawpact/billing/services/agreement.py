"""The agreement an adopter signs, rendered from the contract, its plan version and the
shop's lifecycle settings.

The text is bilingual (Chinese, then English, clause by clause) and never depends on the
request's language or the time; what is signed is stored with its SHA-256, so the record
holds even after the shop changes its settings.

It promises only what the system performs, each promise from the setting or service
behind it (tests/billing/signing/test_agreement.py checks them one by one):
  debit calendar   the plan version's debit day; the rails' minimum period (calendar.py)
  reminders        BillingSettings.reminder_days_before, on the reminder service's channels
                   that the message backend delivers (an SMS copy that is only stored is
                   not promised); no reminder promised when the setting is 0
  entitlements     the plan version's entitlements
  deposit          the credit decision (credit.py) and where every exit puts it (exit_money.py)
  cooling-off      the plan version's cooling_off_days (termination: free cancellation)
  early exit       the plan version's penalty_rate (termination quote)
  pet death/loss   termination.contract_terminate_pet_loss (no penalty, deposit refunded)
  default          BillingSettings.default_after_days (standing + dunning), the deposit applied
  shop closure     shop_closure.py
Fulfilment rewards and the health guarantee's replacement pet are plan terms no service
grants yet, so the agreement does not promise them.
"""
from django.db import connection
from django.template.loader import render_to_string

from pawpact.billing.enums import DepositStatus, EntitlementKind
from pawpact.billing.models import MAX_PENALTY_RATE, Contract
from pawpact.billing.selectors import rate_percent
from pawpact.billing.services.credit import DEPOSIT_WAIVER_SCORE
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.reminders import REMINDER_CHANNELS
from pawpact.core.money import Money, apply_rate
from pawpact.customers.enums import Species
from pawpact.messaging.backends import channels_delivered
from pawpact.payments.policies import RAIL_POLICIES
from pawpact.tenants.models import Shop

TEMPLATE = "billing/agreement.txt"

# Fixed bilingual labels: gettext would make the signed text depend on the reader's language.
_KIND_LABELS = {
    EntitlementKind.FOOD: "宠粮 Food",
    EntitlementKind.LITTER: "猫砂 Litter",
    EntitlementKind.SNACKS: "零食 Snacks",
    EntitlementKind.CHECKUP: "体检 Check-up",
    EntitlementKind.GROOMING: "洗护 Grooming",
    EntitlementKind.VACCINE: "疫苗 Vaccine",
    EntitlementKind.CONSULTATION: "医疗咨询 Consultation",
    EntitlementKind.DEWORMING: "驱虫 Deworming",
}
# Fixed bilingual labels of the channels a reminder may be promised on.
CHANNEL_LABELS = {"sms": ("短信", "SMS"), "in_app": ("站内信", "in-app message"), "email": ("电子邮件", "email")}
_SPECIES = {Species.CAT: "猫 cat", Species.DOG: "狗 dog", Species.OTHER: "其他 other"}


def agreement_render(*, contract: Contract) -> str:
    """The exact agreement text for this contract (what is shown, signed and hashed)."""
    version = contract.plan_version
    settings_row = billing_settings_get()
    monthly = Money(contract.monthly_amount_minor, contract.currency)
    remaining = Money(contract.total_minor - contract.monthly_amount_minor, contract.currency)
    context = {
        "contract_uuid": str(contract.uuid),
        # The agreement is bilingual: both names when the shop gave an English one.
        "plan_name": " / ".join(name for name in (version.plan.name, version.plan.name_en) if name),
        "plan_version": version.version,
        "shop_name": Shop.objects.only("name").get(schema_name=connection.schema_name).name,
        "customer_name": contract.customer.name,
        "phone": _masked(contract.customer.phone),
        "pet_name": contract.pet.name,
        "species": _SPECIES.get(contract.pet.species, contract.pet.species),
        "breed": contract.pet.breed,
        "monthly": monthly.format(),
        "periods": contract.periods,
        "total": Money(contract.total_minor, contract.currency).format(),
        "scope_line": _scope_line(monthly, version.scope_of_use),
        "debit_day": version.debit_day,
        "min_period_days": calendar_min_period_days(),
        "reminder_line": reminder_line(days=settings_row.reminder_days_before, channels=reminder_channels()),
        "entitlements": [_entitlement_line(entry) for entry in version.entitlements],
        "deposit_line": _deposit_line(contract),
        "deposit_applies": contract.credit_checked_at is None or contract.deposit_minor > 0,
        "cooling_off_line": cooling_off_line(days=version.cooling_off_days),
        "penalty_percent": rate_percent(version.penalty_rate),
        "max_penalty_percent": rate_percent(MAX_PENALTY_RATE),
        "example_remaining": remaining.format(),
        "example_penalty": apply_rate(remaining, version.penalty_rate).format(),
        "default_after_days": settings_row.default_after_days,
    }
    return render_to_string(TEMPLATE, context).strip() + "\n"


def calendar_min_period_days() -> int:
    """The least time between two debits whatever rail the contract ends up on: the
    calendar keeps each rail's own minimum, which is never less."""
    return min(policy.min_period_days for policy in RAIL_POLICIES.values())


def reminder_channels() -> list[str]:
    """The reminder service's channels that actually reach the customer, in its order."""
    delivered = channels_delivered()
    return [channel for channel in REMINDER_CHANNELS if channel in delivered]


def reminder_line(*, days: int, channels: list[str]) -> str:
    """The reminder promise, or "" when there is none to make (no days ahead, or no channel)."""
    if days < 1 or not channels:
        return ""
    chinese = "及".join(CHANNEL_LABELS[channel][0] for channel in channels)
    english = " and ".join(CHANNEL_LABELS[channel][1] for channel in channels)
    unit = "day" if days == 1 else "days"
    return (
        f"自第2期起，每次扣款前{days}天通过{chinese}提醒，注明金额、期数及用途。\n"
        f"From period 2 on, a reminder stating the amount, period n of N and the scope of use is sent by "
        f"{english} {days} {unit} before each debit."
    )


def cooling_off_line(*, days: int) -> str:
    """The free cancellation window: up to the end of the day `days` after the start day
    (Contract.cooling_off_until, which the termination service checks)."""
    if days == 0:
        chinese, english = "合同生效当日结束前", "Until the end of the day the contract starts"
    else:
        unit = "day" if days == 1 else "days"
        chinese = f"合同生效后{days}天内（至生效日后第{days}天结束）"
        english = f"Until the end of the day {days} {unit} after the day the contract starts"
    return (
        f"{chinese}，领养人可无理由取消，已支付的全部款项及押金全额退还，不收取违约金；"
        f"此期间申请的解约报价即为免费取消。\n"
        f"{english}, the adopter may cancel for any reason: everything paid and the deposit are refunded in full "
        f"and no penalty is charged. A termination quote asked for in this period is this free cancellation."
    )


def _masked(phone: str) -> str:
    # Enough to recognise one's own number on a printed copy, not enough to misuse it.
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else phone


def _scope_line(monthly: Money, scope: str) -> str:
    """"¥399.00/月，仅用于宠粮… / ¥399.00/month for food… only": amount and scope together."""
    chinese, separator, english = scope.partition(" / ")
    if not separator:
        return f"{monthly.format()}/月 per month: {scope}"
    return f"每月{monthly.format()}，{chinese.strip()} / {monthly.format()}/month for {english.strip()}"


def _entitlement_line(entry: dict) -> str:
    label = _KIND_LABELS.get(entry["kind"], entry["kind"])
    return f"{label}: {entry['item']} × {entry['quantity']} {entry['unit']}"


# True for every rail: WeChat Pay debits the deposit on its own notice, the day before the
# first month; the others take both at once. Signed texts are stored verbatim, so earlier
# signatures keep the wording they signed.
DEPOSIT_TIMING = "押金于首期扣款时或其前一日收取，生效前扣取的押金如合同未生效全额退还。"
DEPOSIT_TIMING_EN = (
    "The deposit is collected with the first monthly debit, or the day before it when the payment provider "
    "requires a separate notice; refunded in full if the plan does not start."
)


def _deposit_line(contract: Contract) -> str:
    score = contract.credit_score
    if contract.credit_checked_at is None:
        # A preview before the credit check: state the rule and the amount at stake.
        deposit = Money(contract.plan_version.deposit_minor, contract.currency).format()
        return (
            f"押金由信用评估决定：信用分{DEPOSIT_WAIVER_SCORE}及以上免押金，低于{DEPOSIT_WAIVER_SCORE}需支付"
            f"押金{deposit}。 / The credit check decides the deposit: none for a score of "
            f"{DEPOSIT_WAIVER_SCORE} or more, a deposit of {deposit} below {DEPOSIT_WAIVER_SCORE}."
        )
    if contract.deposit_status == DepositStatus.WAIVED or contract.deposit_minor == 0:
        return f"信用分{score}，免收押金。 / Credit score {score}: no deposit is required."
    deposit = Money(contract.deposit_minor, contract.currency).format()
    return (
        f"信用分{score}（低于{DEPOSIT_WAIVER_SCORE}），需支付押金{deposit}。{DEPOSIT_TIMING} / "
        f"Credit score {score} (below {DEPOSIT_WAIVER_SCORE}): a deposit of {deposit} is required. "
        f"{DEPOSIT_TIMING_EN}"
    )
