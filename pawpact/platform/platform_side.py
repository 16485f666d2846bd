"""The platform's implementation of the PlatformSide interface (pawpact.tenants.ports)."""
from django_tenants.utils import schema_context

from pawpact.platform.partner_clearing import partner_clearing_post
from pawpact.platform.saas.selectors import subscription_contract_limit
from pawpact.platform.tasks import DRAIN_EXPIRES_SECONDS, outbox_drain_shop_task


class PlatformSideImpl:
    def contract_limit(self, *, shop_id: int) -> int | None:
        return subscription_contract_limit(shop_id=shop_id)

    def partner_clearing_post(self, *, booking_id: int) -> None:
        partner_clearing_post(booking_id=booking_id)

    def outbox_drain_soon(self, *, schema_name: str) -> None:
        with schema_context(schema_name):  # the task runs in the schema it is sent from
            outbox_drain_shop_task.apply_async(expires=DRAIN_EXPIRES_SECONDS)
