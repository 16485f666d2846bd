"""The platform's implementation of the PlatformSide interface (pawpact.tenants.ports)."""
from pawpact.platform.saas.selectors import subscription_contract_limit


class PlatformSideImpl:
    def contract_limit(self, *, shop_id: int) -> int | None:
        return subscription_contract_limit(shop_id=shop_id)
