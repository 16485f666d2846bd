"""Domain errors of care: bookings, resources and services."""
from pawpact.core.errors import Conflict, ValidationFailed


class SlotUnavailable(Conflict):
    code = "slot_unavailable"


class BookingChangeClosed(Conflict):
    code = "booking_change_closed"


class BookingStateInvalid(Conflict):
    code = "booking_state_invalid"


class BookingInvalid(ValidationFailed):
    code = "booking_invalid"
