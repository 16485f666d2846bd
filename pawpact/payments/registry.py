"""The adapter that charges each rail."""
from django.utils.translation import gettext as _

from pawpact.payments.base import PaymentRail
from pawpact.payments.errors import RailNotAvailable
from pawpact.payments.policies import policy_for
from pawpact.payments.sandbox import SandboxRail
from pawpact.payments.stripe import StripeRail


def rail_for(rail: str) -> PaymentRail:
    if rail == SandboxRail.name:
        return SandboxRail()
    if rail == StripeRail.name:
        return StripeRail()
    policy_for(rail)  # an unknown rail raises UnknownRail
    # Alipay and WeChat are described by policies; their recurring-debit adapters come later.
    raise RailNotAvailable(_("Automatic debits on %(rail)s are not available yet.") % {"rail": rail})
