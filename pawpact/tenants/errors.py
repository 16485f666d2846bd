from pawpact.core.errors import BusinessRuleViolation, Conflict, ValidationFailed


class SlugTaken(Conflict):
    """Another shop already has this address (slug): choose another."""

    code = "slug_taken"


class EmailTaken(Conflict):
    """An account with this email exists already."""

    code = "email_taken"


class ProvisioningFailed(BusinessRuleViolation):
    """The new shop could not be set up: nothing was kept; try again or contact support."""

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
    """The provider's credentials (keys, certificates) needed for live mode are not saved yet."""

    code = "credentials_missing"


class CredentialsInvalid(ValidationFailed):
    """The provider refused the saved credentials: check and save them again."""

    code = "invalid_credentials"


class LiveModeNotReady(BusinessRuleViolation):
    """Live mode needs every provider's credentials and the shop's checks to pass first."""

    code = "live_mode_not_ready"
