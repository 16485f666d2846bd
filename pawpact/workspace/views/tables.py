"""The columns each list exports: headers translated, values as the shop reads them."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.billing.enums import ContractStatus, PeriodStatus
from pawpact.core.bilingual import in_reader_language
from pawpact.customers.enums import CustomerStanding, IdVerification
from pawpact.payments.policies import RAIL_POLICIES
from pawpact.workspace.exports import column, local, yuan
from pawpact.workspace.selectors.contracts import waiting_schedule_of

# The lists' badge, word for word, so a sheet reads as the page does.
WAITING_FOR_NOTICE = _("Waiting for WeChat Pay's pre-debit notice period")


def _label(choices):
    return lambda value: str(choices(value).label) if value in choices.values else value


def _plan(name: str, name_en: str, version: int) -> str:
    return f"{in_reader_language(name, name_en)} v{version}"


PLAN = ("plan_version__plan__name", "plan_version__plan__name_en", "plan_version__version")
WAITING_FIELDS = ("status", "activation_queued_at", "payment_method__rail")


def _waits(status: str, queued_at, rail: str | None) -> bool:
    """A signed contract queued on a rail with pre-debit notices (the badge's contracts)."""
    policy = RAIL_POLICIES.get(rail or "")
    return status == ContractStatus.SIGNED and queued_at is not None and bool(policy and policy.pre_debit_notice_days)


def _status(status: str, queued_at, rail: str | None) -> str:
    label = _label(ContractStatus)(status)
    return f"{label} · {WAITING_FOR_NOTICE}" if _waits(status, queued_at, rail) else label


def _next_debit(next_due, contract_id: int, status: str, queued_at, rail: str | None):
    """The pages' next debit: a waiting contract's from its activation schedule (its calendar
    has none yet, or one due the day it was queued), any other's from its calendar."""
    schedule = waiting_schedule_of(contract_id) if _waits(status, queued_at, rail) else None
    return schedule.next_debit.on if schedule is not None else next_due or ""

SIGNING_COLUMNS = [
    column(_("Created"), "created_at", show=local),
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(pgettext_lazy("pet", "Pet"), "pet__name"),
    column(_("Plan"), *PLAN, show=_plan),
    column(_("Monthly amount (¥)"), "monthly_amount_minor", show=yuan),
    column(_("Total cost (¥)"), "total_minor", show=yuan),
    column(_("Status"), *WAITING_FIELDS, show=_status),
    column(pgettext_lazy("date", "Signed"), "signed_at", show=local),
]

CONTRACT_COLUMNS = [
    column(_("Contract"), "uuid", show=str),
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(pgettext_lazy("pet", "Pet"), "pet__name"),
    column(_("Plan"), *PLAN, show=_plan),
    column(_("Status"), *WAITING_FIELDS, show=_status),
    column(pgettext_lazy("customer", "Standing"), "customer__standing", show=_label(CustomerStanding)),
    column(_("Monthly amount (¥)"), "monthly_amount_minor", show=yuan),
    column(_("Periods"), "periods"),
    column(_("Total cost (¥)"), "total_minor", show=yuan),
    column(_("Next debit"), "next_due", "pk", *WAITING_FIELDS, show=_next_debit),
    column(pgettext_lazy("date", "Signed"), "signed_at", show=local),
]

CUSTOMER_COLUMNS = [
    column(_("Name"), "name"),
    column(_("Phone"), "phone"),
    column(_("Email"), "email"),
    column(_("ID verification"), "id_verification", show=_label(IdVerification)),
    column(pgettext_lazy("customer", "Standing"), "standing", show=_label(CustomerStanding)),
    column(_("Contracts in force"), "active_contracts"),
    column(_("Pets"), "pet_count"),
    column(_("Registered"), "created_at", show=local),
]

LATE_CUSTOMER_COLUMNS = [
    column(_("Customer"), "name"),
    column(_("Phone"), "phone"),
    column(pgettext_lazy("customer", "Standing"), "standing", show=_label(CustomerStanding)),
    column(_("Since"), "standing_since", show=local),
    column(_("Oldest unpaid debit"), "oldest_due", show=lambda day: day or ""),
    column(_("Owed (¥)"), "owed_minor", show=yuan),
    column(_("Owed periods"), "owed_periods"),
    column(_("Open calls"), "open_calls"),
]

OWED_PERIOD_COLUMNS = [
    column(_("Customer"), "contract__customer__name"),
    column(_("Phone"), "contract__customer__phone"),
    column(_("Plan"), *(f"contract__{field}" for field in PLAN), show=_plan),
    column(_("Period"), "number"),
    column(_("Debit date"), "due_date"),
    column(_("Amount (¥)"), "amount_minor", show=yuan),
    column(_("Status"), "status", show=_label(PeriodStatus)),
]
