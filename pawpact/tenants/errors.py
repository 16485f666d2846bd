from pawpact.core.errors import BusinessRuleViolation, Conflict


class SlugTaken(Conflict):
    code = "slug_taken"


class EmailTaken(Conflict):
    code = "email_taken"


class ProvisioningFailed(BusinessRuleViolation):
    code = "provisioning_failed"


class IllegalShopTransition(BusinessRuleViolation):
    code = "illegal_transition"
