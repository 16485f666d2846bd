from pawpact.core.errors import BusinessRuleViolation, Conflict, ValidationFailed


class SlugTaken(Conflict):
    code = "slug_taken"


class EmailTaken(Conflict):
    code = "email_taken"


class ProvisioningFailed(BusinessRuleViolation):
    code = "provisioning_failed"


class IllegalShopTransition(Conflict):
    """The shop's state does not allow this step (one code and status with the contracts' own)."""

    code = "illegal_transition"


class SandboxRefusedInLiveMode(BusinessRuleViolation):
    """A sandbox provider (payment token, credit score, SMS) asked to act for live money."""

    code = "sandbox_in_live_mode"


class LiveProviderInTestMode(BusinessRuleViolation):
    """Real providers never act for test-mode records: pretend money must stay pretend."""

    code = "live_provider_in_test_mode"


class CredentialsMissing(BusinessRuleViolation):
    code = "credentials_missing"


class CredentialsInvalid(ValidationFailed):
    code = "invalid_credentials"


class LiveModeNotReady(BusinessRuleViolation):
    code = "live_mode_not_ready"
