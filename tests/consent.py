"""The applicant's consent to the credit check, which every credit check needs (both modes)."""

from pawpact.billing.models import Contract
from pawpact.billing.services.credit import credit_consent_record_by_link


def consented(contract: Contract) -> Contract:
    """The contract, with its applicant's consent recorded as given on their own phone."""
    credit_consent_record_by_link(contract=contract, shop_name="Test shop", ip="203.0.113.9", user_agent="tests")
    return contract
