"""Monthly plan boxes: one parcel of the plan version's items for every paid period.

Billing publishes `debit.paid` (pawpact.outbox.services.shop_event_publish) and
`box_on_debit_paid` creates the period's box; activation pays period 1, so it ships
the first month's box. A box whose customer is overdue (the hold dunning sets, read
from pawpact.billing.holds) or who has no delivery address waits HELD and is released
by `boxes_release` on recovery; a terminated contract ships nothing more.
"""
import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus
from pawpact.billing.holds import customer_holds, held_customers_q
from pawpact.billing.models import Contract
from pawpact.core.clock import Clock, default_clock
from pawpact.storefront.enums import FulfilmentKind, FulfilmentStatus, HoldReason
from pawpact.storefront.models import Fulfilment, FulfilmentLine, PlanBoxItem, ShippingAddress
from pawpact.storefront.parcel_reasons import CONTRACT_ENDED
from pawpact.storefront.services import fulfilment as parcels
from pawpact.storefront.services.catalog import linked_warehouse_id
from pawpact.warehouses.stock import reservation_release

logger = logging.getLogger(__name__)
SHIPPING_CONTRACT_STATUSES = (ContractStatus.SIGNED, ContractStatus.ACTIVE)


def box_on_debit_paid(*, payloads: list[dict], clock: Clock = default_clock) -> None:
    """Subscriber of debit.paid (settings.PAWPACT_SHOP_EVENT_SUBSCRIBERS): each paid period's box."""
    if linked_warehouse_id() is None:
        return
    uuids = [payload["contract_uuid"] for payload in payloads]
    contracts = {str(c.uuid): c for c in Contract.objects.select_related("customer", "plan_version").filter(uuid__in=uuids)}
    for payload in payloads:
        paid_at = datetime.fromisoformat(payload["at"]) if payload.get("at") else None
        box_create(contract=contracts[payload["contract_uuid"]], period_number=int(payload["period_number"]),
                   paid_at=paid_at, clock=clock)  # fmt: skip


def _hold_reason(contract: Contract) -> str:
    holds = customer_holds(customer=contract.customer)
    if holds.shipment_held:
        return HoldReason.DEFAULT if holds.reason == HoldReason.DEFAULT else HoldReason.OVERDUE
    if not ShippingAddress.objects.filter(customer=contract.customer_id).exists():
        return HoldReason.NO_ADDRESS
    return ""


def box_create(*, contract: Contract, period_number: int, paid_at: datetime | None = None,
               clock: Clock = default_clock) -> Fulfilment | None:  # fmt: skip
    """The box of one paid period, once (a repeated report returns the box already made), holding
    what the plan's box held when the period was paid (`paid_at`; an edit since applies from the
    next paid period)."""
    existing = Fulfilment.objects.filter(contract=contract, period_number=period_number, kind=FulfilmentKind.PLAN_BOX).first()
    if existing is not None or contract.status not in SHIPPING_CONTRACT_STATUSES:
        return existing
    warehouse_id = linked_warehouse_id()
    # Items of a warehouse the shop has left cannot ship from the one it uses now.
    items = list(PlanBoxItem.history.as_of(paid_at or clock.now())
                 .filter(plan_version=contract.plan_version_id, warehouse_sku__warehouse_id=warehouse_id or 0)
                 .select_related("warehouse_sku"))  # fmt: skip
    if not items or warehouse_id is None:
        logger.warning("Plan version %s has no box items (or no warehouse): period %s ships nothing",
                       contract.plan_version_id, period_number)  # fmt: skip
        return None
    reason = _hold_reason(contract)
    address = ShippingAddress.objects.filter(customer=contract.customer_id).first()
    now = clock.now()
    try:
        with transaction.atomic():
            box = Fulfilment.objects.create(
                kind=FulfilmentKind.PLAN_BOX, customer=contract.customer, contract=contract, period_number=period_number,
                warehouse_id=warehouse_id, status=FulfilmentStatus.HELD, hold_reason=reason or HoldReason.NO_ADDRESS,
                ship_to=address.as_payload() if address else {}, created_at=now,
                cost_minor=sum(item.warehouse_sku.cost_minor * item.quantity for item in items),
            )  # fmt: skip
            FulfilmentLine.objects.bulk_create(
                FulfilmentLine(fulfilment=box, warehouse_sku=item.warehouse_sku, sku=item.warehouse_sku.sku,
                               name=item.warehouse_sku.name, quantity=item.quantity,
                               unit_cost_minor=item.warehouse_sku.cost_minor)
                for item in items
            )  # fmt: skip
            if not reason:
                parcels.fulfilment_queue(fulfilment=box, now=now)
    except IntegrityError:
        return Fulfilment.objects.get(contract=contract, period_number=period_number, kind=FulfilmentKind.PLAN_BOX)
    return box


def box_hold_if_needed(*, fulfilment: Fulfilment) -> bool:
    """Just before sending: a customer who fell overdue since the box was made has it held."""
    if fulfilment.kind != FulfilmentKind.PLAN_BOX:
        return False
    contract = Contract.objects.select_related("customer").get(pk=fulfilment.contract_id)
    if contract.status not in SHIPPING_CONTRACT_STATUSES:
        return _cancel(fulfilment_id=fulfilment.pk, clock=default_clock)
    reason = _hold_reason(contract)
    if not reason:
        return False
    with transaction.atomic():
        locked = Fulfilment.objects.select_for_update(of=("self",)).get(pk=fulfilment.pk)
        if locked.status != FulfilmentStatus.WAITING:
            return True
        parcels.fulfilment_move(locked, FulfilmentStatus.HELD)
        locked.hold_reason, locked.next_push_at = reason, None
        locked.save(update_fields=["status", "hold_reason", "next_push_at"])
        reservation_release(reference=locked.uuid)
    return True


def boxes_release(*, clock: Clock = default_clock) -> int:
    """Send the held boxes whose customer is current again and has an address; cancel those
    of contracts that ended meanwhile. Returns how many were released."""
    released = 0
    held = Fulfilment.objects.filter(kind=FulfilmentKind.PLAN_BOX, status=FulfilmentStatus.HELD)
    for box_id in held.exclude(held_customers_q("customer__")).values_list("pk", flat=True):
        with transaction.atomic():
            box = Fulfilment.objects.select_for_update(of=("self",)).select_related("contract", "customer").get(pk=box_id)
            if box.status != FulfilmentStatus.HELD:
                continue
            if box.contract.status not in SHIPPING_CONTRACT_STATUSES:
                _cancel(fulfilment_id=box.pk, clock=clock)
                continue
            address = ShippingAddress.objects.filter(customer=box.customer_id).first()
            if address is None or _hold_reason(box.contract):
                continue
            box.ship_to = address.as_payload()
            box.save(update_fields=["ship_to"])
            parcels.fulfilment_queue(fulfilment=box, now=clock.now())
            released += 1
    return released


def boxes_on_contract_terminated(*, payload: dict, clock: Clock = default_clock) -> None:
    """Subscriber of contract.terminated: boxes not yet at the warehouse are cancelled."""
    unsent = Fulfilment.objects.filter(
        kind=FulfilmentKind.PLAN_BOX, contract__uuid=payload["contract_uuid"],
        status__in=(FulfilmentStatus.HELD, FulfilmentStatus.WAITING),
    )  # fmt: skip
    for box_id in unsent.values_list("pk", flat=True):
        _cancel(fulfilment_id=box_id, clock=clock)


def _cancel(*, fulfilment_id: int, clock: Clock) -> bool:
    with transaction.atomic():
        box = Fulfilment.objects.select_for_update(of=("self",)).get(pk=fulfilment_id)
        if box.status not in (FulfilmentStatus.HELD, FulfilmentStatus.WAITING):
            return False
        parcels.fulfilment_move(box, FulfilmentStatus.CANCELLED)
        box.cancelled_at, box.next_push_at = clock.now(), None
        box.last_error = _("The contract ended before the box was sent.")
        box.last_reason = CONTRACT_ENDED
        box.save(update_fields=["status", "cancelled_at", "next_push_at", "last_error", "last_reason"])
        reservation_release(reference=box.uuid)
    return True
