"""Shop closure: when the platform deactivates a shop, every future debit of it stops.

`tenants.services.shop_set_state(... DEACTIVATED)` enqueues, after its commit, the
tenant task `billing.shop_closure` in the closed shop's schema, which runs
`shop_closure_run` there: every ACTIVE contract ends with kind shop_closure (no penalty,
every open period cancelled with its receivable, a held deposit refunded, outbox reason
shop_closure); a DRAFT or SIGNED contract is withdrawn (its deposit refunded too).

It refuses to run in a shop that is not deactivated, so a stray or late message can
never end a live shop's contracts. Idempotent: ended contracts are not picked again.
"""
import logging
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import ShopNotClosed
from pawpact.billing.models import Contract
from pawpact.billing.services.termination import contract_close_for_shop
from pawpact.billing.services.withdrawal import contract_withdraw
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import DomainError
from pawpact.tenants.enums import ShopState
from pawpact.tenants.models import Shop

logger = logging.getLogger(__name__)


@dataclass
class ShopClosureReport:
    terminated: list[str] = field(default_factory=list)  # contract uuids
    withdrawn: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # a debit in flight, a refund refused…: run again

    @property
    def is_done(self) -> bool:
        return not self.skipped


def shop_closure_run(*, clock: Clock = default_clock) -> ShopClosureReport:
    """End every open contract of the current shop, which must be deactivated."""
    shop = Shop.objects.only("state", "schema_name").get(schema_name=connection.schema_name)
    if shop.state != ShopState.DEACTIVATED:
        raise ShopNotClosed(_("Only a deactivated shop's contracts are closed."))
    report = ShopClosureReport()
    for statuses, end, done, verb in (
        ((ContractStatus.ACTIVE,), contract_close_for_shop, report.terminated, "Closing"),
        ((ContractStatus.DRAFT, ContractStatus.SIGNED), contract_withdraw, report.withdrawn, "Withdrawing"),
    ):
        for contract in Contract.objects.filter(status__in=statuses).order_by("id"):
            try:
                end(contract=contract, clock=clock)
            except DomainError:
                logger.exception("%s contract %s of closed shop %s failed", verb, contract.uuid, shop.schema_name)
                report.skipped.append(str(contract.uuid))
                continue
            done.append(str(contract.uuid))
    return report
