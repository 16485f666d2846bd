"""The agreement an adopter signs, rendered from the contract and its plan version.

The text is bilingual (Chinese, then English, clause by clause) and deterministic:
it depends only on stored rows, never on the request's language or the time, so
its SHA-256 can be recomputed from the stored text at any later date.
"""
from decimal import Decimal

from django.db import connection
from django.template.loader import render_to_string

from pawpact.billing.enums import DepositStatus, EntitlementKind
from pawpact.billing.models import Contract
from pawpact.core.money import Money, apply_rate
from pawpact.customers.enums import Species
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
_REWARD_LABELS = {
    EntitlementKind.FOOD: ("宠粮", "food"),
    EntitlementKind.LITTER: ("猫砂", "litter"),
    EntitlementKind.SNACKS: ("零食", "snacks"),
    EntitlementKind.CHECKUP: ("体检", "check-up"),
    EntitlementKind.GROOMING: ("洗护", "grooming"),
    EntitlementKind.VACCINE: ("疫苗", "vaccine"),
    EntitlementKind.CONSULTATION: ("医疗咨询", "consultation"),
    EntitlementKind.DEWORMING: ("驱虫", "deworming"),
}
_SPECIES = {Species.CAT: "猫 cat", Species.DOG: "狗 dog", Species.OTHER: "其他 other"}


def agreement_render(*, contract: Contract) -> str:
    """The exact agreement text for this contract (what is shown, signed and hashed)."""
    version = contract.plan_version
    monthly = Money(contract.monthly_amount_minor, contract.currency)
    remaining = Money(contract.total_minor - contract.monthly_amount_minor, contract.currency)
    context = {
        "contract_uuid": str(contract.uuid),
        "plan_name": version.plan.name,
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
        "entitlements": [_entitlement_line(entry) for entry in version.entitlements],
        "rewards": [_reward_line(entry) for entry in version.fulfilment_rewards],
        "deposit_line": _deposit_line(contract),
        "cooling_off_days": version.cooling_off_days,
        "penalty_percent": _percent(version.penalty_rate),
        "example_remaining": remaining.format(),
        "example_penalty": apply_rate(remaining, version.penalty_rate).format(),
        "health_guarantee_days": version.health_guarantee_days,
    }
    return render_to_string(TEMPLATE, context).strip() + "\n"


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


def _reward_line(entry: dict) -> str:
    chinese, english = _REWARD_LABELS.get(entry["kind"], (entry["kind"], entry["kind"]))
    paid, quantity = entry["consecutive_paid"], entry["quantity"]
    return (
        f"连续按时支付{paid}期，赠送{chinese}{quantity}次 / "
        f"{paid} consecutive paid periods: {quantity} free {english}"
    )


def _deposit_line(contract: Contract) -> str:
    score = contract.credit_score
    if contract.credit_checked_at is None:
        # A preview before the credit check: state the rule and the amount at stake.
        deposit = Money(contract.plan_version.deposit_minor, contract.currency).format()
        return (
            f"押金由信用评估决定：信用分600及以上免押金，低于600需支付可退还押金{deposit}。 / "
            f"The credit check decides the deposit: none for a score of 600 or more, "
            f"a refundable deposit of {deposit} below 600."
        )
    if contract.deposit_status == DepositStatus.WAIVED or contract.deposit_minor == 0:
        return f"信用分{score}，免收押金。 / Credit score {score}: no deposit is required."
    deposit = Money(contract.deposit_minor, contract.currency).format()
    return (
        f"信用分{score}（低于600），需支付可退还押金{deposit}，于合同生效时收取。 / "
        f"Credit score {score} (below 600): a refundable deposit of {deposit} is collected when the contract starts."
    )


def _percent(rate: Decimal) -> str:
    """Decimal("0.100") → "10", Decimal("0.085") → "8.5"."""
    text = f"{rate * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
