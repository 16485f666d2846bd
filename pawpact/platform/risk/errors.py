from pawpact.core.errors import Conflict, NotFound, ValidationFailed


class OverrideReasonMissing(ValidationFailed):
    code = "reason_required"


class UnknownRiskState(ValidationFailed):
    code = "unknown_risk_state"


class NoOverride(Conflict):
    code = "no_override"


class ShopNotFound(NotFound):
    code = "shop_not_found"
