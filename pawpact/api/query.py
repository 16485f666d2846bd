"""Query parameters are validated like bodies: a value outside the documented ones
answers 400 with the parameter named, instead of being ignored."""
import re

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from pawpact.api.fields import METADATA_RULES
from pawpact.core.errors import ValidationFailed
from pawpact.core.metadata import metadata_errors

# Sent empty by a search box nobody typed in: the same as not sent.
EMPTY_MEANS_ABSENT = frozenset({"search"})


def query_valid(serializer_class: type[serializers.Serializer], request) -> dict:
    params = request.query_params.copy()
    for name in EMPTY_MEANS_ABSENT:
        if name in params and not params.get(name, "").strip():
            del params[name]
    query = serializer_class(data=params)
    # DRF reads an empty form value as "not sent"; in a query string it is a mistake.
    blank = {
        name: [_("This field may not be blank.")]
        for name, field in query.fields.items()
        if params.get(name) == "" and not getattr(field, "allow_blank", False)
    }
    if blank:
        raise ValidationFailed(_("Some fields are invalid."), fields=blank)
    query.is_valid(raise_exception=True)
    return query.validated_data


# `metadata[crm_id]=C-1042`: Stripe's form for a filter on one metadata key.
METADATA_PARAMETER = re.compile(r"^metadata\[(.*)\]$")

METADATA_FILTER = OpenApiParameter(
    "metadata", {"type": "object", "additionalProperties": {"type": "string"}},
    OpenApiParameter.QUERY, required=False, style="deepObject", explode=True,
    description=format_lazy(gettext_lazy("Records whose metadata has these exact values: `metadata[crm_id]=C-1042` "
    "(several keys: all must match). A key or value metadata cannot hold matches nothing: {rules}"), rules=METADATA_RULES),
)  # fmt: skip


def metadata_filtered(queryset, request):
    """`queryset` narrowed to the records whose metadata holds every `metadata[key]=value` sent.
    A pair no metadata can hold (a key of 41 characters, a NUL) is not an error: nothing has it."""
    wanted = {}
    keyless = sorted(name for name in request.query_params if name in ("metadata", "metadata[]"))
    if keyless:
        # `metadata=x` or `metadata[]=x` names no key: refused rather than matching everything or nothing.
        raise ValidationFailed(
            _("Filter on metadata with a key in brackets: metadata[crm_id]=C-1042."),
            fields={name: [_("Name the metadata key in brackets.")] for name in keyless},
        )
    nested = sorted(name for name in request.query_params if name.startswith("metadata[") and "][" in name)
    if nested:
        # Metadata is flat: `metadata[a][b]` would silently match nothing.
        raise ValidationFailed(
            _("Metadata is flat: filter on one key in brackets, metadata[crm_id]=C-1042."),
            fields={name: [_("Nested keys are not supported.")] for name in nested},
        )
    for name, value in request.query_params.items():
        match = METADATA_PARAMETER.match(name)
        if match is None:
            continue
        if metadata_errors({match.group(1): value}):
            return queryset.none()
        wanted[match.group(1)] = value
    # jsonb containment (@>), which the metadata GIN index answers.
    return queryset.filter(metadata__contains=wanted) if wanted else queryset
