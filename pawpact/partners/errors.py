from django.utils.translation import gettext_lazy as _

from pawpact.core.errors import Conflict, NotFound, ValidationFailed


class PartnerInvalid(ValidationFailed):
    code = "invalid"


class PartnerStateConflict(Conflict):
    """The partner does not take this now: delisted, or not in the state the action needs."""

    code = "partner_not_available"


class RatingRefused(ValidationFailed):
    """The rating is not 1 to 5 stars, or the service is not completed yet."""

    code = "rating_refused"


class AlreadyRated(Conflict):
    """This service has been rated already: one rating per completed service."""

    code = "already_rated"


class VisitNotYet(Conflict):
    """The booked visit is still to come: it cannot be marked completed before its time."""

    code = "visit_not_yet"


class PartnerBookingNotFound(NotFound):
    code = "not_found"


COORDINATES_OUT_OF_RANGE = _("Latitude must be between -90 and 90 and longitude between -180 and 180.")
# Next to each field, only its own range: both wrong must not repeat one sentence twice.
COORDINATE_OUT_OF_RANGE = {"latitude": _("Enter a latitude between -90 and 90."),
                           "longitude": _("Enter a longitude between -180 and 180.")}  # fmt: skip
