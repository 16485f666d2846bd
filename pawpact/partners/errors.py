from django.utils.translation import gettext_lazy as _

from pawpact.core.errors import Conflict, NotFound, ValidationFailed


class PartnerInvalid(ValidationFailed):
    code = "invalid"


class PartnerStateConflict(Conflict):
    """The partner is not in a state that allows this (e.g. a booking to a delisted partner)."""

    code = "partner_not_available"


class RatingRefused(ValidationFailed):
    code = "rating_refused"


class AlreadyRated(Conflict):
    code = "already_rated"


class PartnerBookingNotFound(NotFound):
    code = "not_found"


COORDINATES_OUT_OF_RANGE = _("Latitude must be between -90 and 90 and longitude between -180 and 180.")
