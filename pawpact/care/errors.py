"""Domain errors of care: bookings, resources, services and complaints."""
from pawpact.core.errors import Conflict, ValidationFailed


class SlotUnavailable(Conflict):
    """The resource is already booked at an overlapping time."""

    code = "slot_unavailable"


class BookingChangeClosed(Conflict):
    """Changes and cancellations close 2 hours before the appointment (staff may still act)."""

    code = "booking_change_closed"


class BookingStateInvalid(Conflict):
    """The booking is not in a state that allows this (e.g. already cancelled or not started)."""

    code = "booking_state_invalid"


class BookingInvalid(ValidationFailed):
    """The booking breaks a rule: a past time, outside working hours, someone else's pet."""

    code = "booking_invalid"


class ComplaintInvalid(ValidationFailed):
    """The complaint is incomplete or links a record that is not the customer's."""

    code = "complaint_invalid"


class ComplaintStateInvalid(Conflict):
    """The complaint is not in a state that allows this step."""

    code = "complaint_state_invalid"
