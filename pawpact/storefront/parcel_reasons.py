"""Why a parcel waits or was stopped, worded in the reader's language: the parcel keeps a code
and its parameters (the warehouse's connection codes come from pawpact.warehouses.reasons)."""
from django.utils.translation import gettext_noop

from pawpact.core.reasons import Reasons
from pawpact.warehouses.reasons import REASONS as WAREHOUSE_REASONS
from pawpact.warehouses.reasons import reason_of

OUT_OF_STOCK = "out_of_stock"
CONTRACT_ENDED = "contract_ended"
WAREHOUSE_REFUSED = "warehouse_refused"

WORDS = {
    OUT_OF_STOCK: gettext_noop("Not enough in stock at the warehouse."),
    CONTRACT_ENDED: gettext_noop("The contract ended before the box was sent."),
    # The warehouse's own words, as it sent them.
    WAREHOUSE_REFUSED: gettext_noop("The warehouse refused it: %(message)s"),
}
REASONS = Reasons(WORDS, kind="parcel reason", defaults={"message": ""})

__all__ = ["reason_of", "parcel_reason_text", "OUT_OF_STOCK", "CONTRACT_ENDED", "WAREHOUSE_REFUSED"]


def parcel_reason_text(parcel) -> str:
    """The parcel's last problem in the active language; a row stored before codes existed
    shows its text as stored."""
    code, params = parcel.last_reason, parcel.last_reason_params or {}
    if not code:
        return parcel.last_error
    table = REASONS if code in REASONS else WAREHOUSE_REASONS
    return table.text(code, params, said=parcel.last_error)
