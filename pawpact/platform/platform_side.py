"""The platform's implementation of the PlatformSide interface (pawpact.tenants.ports)."""
from pawpact.platform.partner_clearing import partner_clearing_post
from pawpact.platform.saas.selectors import subscription_contract_limit


class PlatformSideImpl:
    def contract_limit(self, *, shop_id: int) -> int | None:
        return subscription_contract_limit(shop_id=shop_id)

    def partner_clearing_post(self, *, booking_id: int) -> None:
        partner_clearing_post(booking_id=booking_id)
