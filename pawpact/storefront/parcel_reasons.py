"""Why a parcel waits or was stopped, worded in the reader's language: the parcel keeps a code
and its parameters (the warehouse's connection codes come from pawpact.warehouses.reasons)."""
from django.utils.translation import gettext as _

from pawpact.warehouses.reasons import reason_of, reason_text

OUT_OF_STOCK = "out_of_stock"
CONTRACT_ENDED = "contract_ended"
WAREHOUSE_REFUSED = "warehouse_refused"

__all__ = ["reason_of", "parcel_reason_text", "OUT_OF_STOCK", "CONTRACT_ENDED", "WAREHOUSE_REFUSED"]


def parcel_reason_text(parcel) -> str:
    """The parcel's last problem in the active language; a row stored before codes existed
    shows its text as stored."""
    code, params = parcel.last_reason, parcel.last_reason_params or {}
    if not code:
        return parcel.last_error
    if code == OUT_OF_STOCK:
        return _("Not enough in stock at the warehouse.")
    if code == CONTRACT_ENDED:
        return _("The contract ended before the box was sent.")
    if code == WAREHOUSE_REFUSED:
        # The warehouse's own words, as it sent them.
        return _("The warehouse refused it: %(message)s") % {"message": params.get("message", "")}
    return reason_text(code, params) or parcel.last_error
