"""The columns each list exports (and shows): headers translated, values as the shop reads them."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.billing.enums import ContractStatus
from pawpact.customers.enums import CustomerStanding, IdVerification
from pawpact.workspace.exports import local, yuan


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


SIGNING_COLUMNS = [
    (_("Created"), lambda c: local(c.created_at)),
    (_("Customer"), lambda c: c.customer.name),
    (_("Phone"), lambda c: c.customer.phone),
    (pgettext_lazy("pet", "Pet"), lambda c: c.pet.name),
    (_("Plan"), lambda c: f"{c.plan_version.plan.name} v{c.plan_version.version}"),
    (_("Monthly amount (¥)"), lambda c: yuan(c.monthly_amount_minor)),
    (_("Total cost (¥)"), lambda c: yuan(c.total_minor)),
    (_("Status"), lambda c: _label(ContractStatus, c.status)),
    (pgettext_lazy("date", "Signed"), lambda c: local(c.signed_at)),
]

CONTRACT_COLUMNS = [
    (_("Contract"), lambda c: str(c.uuid)),
    (_("Customer"), lambda c: c.customer.name),
    (_("Phone"), lambda c: c.customer.phone),
    (pgettext_lazy("pet", "Pet"), lambda c: c.pet.name),
    (_("Plan"), lambda c: f"{c.plan_version.plan.name} v{c.plan_version.version}"),
    (_("Status"), lambda c: _label(ContractStatus, c.status)),
    (_("Standing"), lambda c: _label(CustomerStanding, c.customer.standing)),
    (_("Monthly amount (¥)"), lambda c: yuan(c.monthly_amount_minor)),
    (_("Periods"), lambda c: c.periods),
    (_("Total cost (¥)"), lambda c: yuan(c.total_minor)),
    (_("Next debit"), lambda c: getattr(c, "next_due", None) or ""),
    (pgettext_lazy("date", "Signed"), lambda c: local(c.signed_at)),
]

CUSTOMER_COLUMNS = [
    (_("Name"), lambda c: c.name),
    (_("Phone"), lambda c: c.phone),
    (_("ID verification"), lambda c: _label(IdVerification, c.id_verification)),
    (_("Standing"), lambda c: _label(CustomerStanding, c.standing)),
    (_("Contracts in force"), lambda c: getattr(c, "active_contracts", 0)),
    (_("Pets"), lambda c: getattr(c, "pet_count", 0)),
    (_("Registered"), lambda c: local(c.created_at)),
]
