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


class PetRecordInvalid(ValidationFailed):
    """A pet archive entry breaks a rule: a weight of zero or less, a date in the future, a next due before the date."""

    code = "pet_record_invalid"


class UploadInvalid(ValidationFailed):
    """A photo or evidence file of the wrong type or too large."""

    code = "upload_invalid"


class GuaranteeClaimInvalid(ValidationFailed):
    """The claim is outside the guarantee window, without a vet's evidence, for an unlisted condition or someone else's pet."""

    code = "guarantee_claim_invalid"


class GuaranteeClaimStateInvalid(Conflict):
    """The claim has been decided already, or the pet has an open claim."""

    code = "guarantee_claim_state_invalid"


class ListingClosed(Conflict):
    """The pet is no longer listed for adoption."""

    code = "listing_closed"


class AdoptionApplicationInvalid(ValidationFailed):
    """The application is incomplete: contact, housing, experience, consent."""

    code = "adoption_application_invalid"


class AdoptionApplicationStateInvalid(Conflict):
    """The application has been decided already."""

    code = "adoption_application_state_invalid"


class EntitlementUnavailable(Conflict):
    """The pet's plan has no unit of this entitlement left for the appointment's period, or none at all."""

    code = "entitlement_unavailable"
