"""Query parameters are validated like bodies: a value outside the documented ones
answers 400 with the parameter named, instead of being ignored."""
from django.utils.translation import gettext as _
from rest_framework import serializers

from pawpact.core.errors import ValidationFailed


def query_valid(serializer_class: type[serializers.Serializer], request) -> dict:
    query = serializer_class(data=request.query_params)
    # DRF reads an empty form value as "not sent"; in a query string it is a mistake.
    blank = {
        name: [_("This field may not be blank.")]
        for name, field in query.fields.items()
        if request.query_params.get(name) == "" and not getattr(field, "allow_blank", False)
    }
    if blank:
        raise ValidationFailed(_("Some fields are invalid."), fields=blank)
    query.is_valid(raise_exception=True)
    return query.validated_data
