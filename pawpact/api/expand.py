"""`expand[]`, as Stripe has it: an answer names related records by id, and a frontend that
would otherwise make one call per id asks for the records themselves instead:

    GET /contracts?expand[]=customer&expand[]=pet   each contract with its `customer` and `pet`

An expandable field is absent unless asked for (the ids stay either way); a path the operation
does not offer answers 400 `unknown_expand`. The path is relative to one record, in lists too.
Views load what is asked for in the same few queries, whatever the list's length.
"""
from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from pawpact.api.errors import UnknownExpansion

PARAMETER = "expand[]"


def expand_parameter(*paths: str) -> OpenApiParameter:
    return OpenApiParameter(
        PARAMETER, {"type": "array", "items": {"type": "string", "enum": list(paths)}, "uniqueItems": True},
        OpenApiParameter.QUERY, required=False, explode=True,
        description=format_lazy(gettext_lazy("Related records to include in the answer instead of only their ids "
        "(repeat the parameter for several): {paths}."), paths=", ".join(f"`{path}`" for path in paths)),
    )  # fmt: skip


def expansions(request, offered: tuple[str, ...]) -> frozenset[str]:
    """The paths the request asks to expand, each one the operation offers; else 400."""
    asked = request.query_params.getlist(PARAMETER) if request is not None else []
    unknown = sorted(set(asked) - set(offered))
    if unknown:
        message = _("Unknown expand path. This operation expands: %(paths)s.") % {"paths": ", ".join(offered)}
        raise UnknownExpansion(message, fields={PARAMETER: [_("Cannot expand %(path)s.") % {"path": p} for p in unknown]})
    return frozenset(asked)


class ExpandableMixin:
    """For a serializer whose `expandable` fields ({field name: expand path}) are answered only
    when the request's `expand[]` names their path (the view puts the validated set in the
    context as `expand`). The schema shows them all, as optional properties: declare them
    required=False and not read-only."""

    expandable: dict[str, str] = {}

    @property
    def _readable_fields(self):
        # Read once per serializer: a list's child serializer answers every row with the same
        # fields, and walking them all again per row was a tenth of a contract list's time.
        readable = self.__dict__.get("_expandable_readable")
        if readable is None:
            wanted = self.context.get("expand", frozenset())
            readable = [field for field in super()._readable_fields
                        if self.expandable.get(field.field_name) is None or self.expandable[field.field_name] in wanted]  # fmt: skip
            self.__dict__["_expandable_readable"] = readable
        return readable


# An object's serializer by name ("customer"), registered by the domain that owns it, so that
# another domain expands it without importing that domain's package.
_SERIALIZERS: dict[str, type] = {}


def expandable_object(name: str, serializer_class: type) -> None:
    _SERIALIZERS[name] = serializer_class


class ExpandedField(serializers.Field):
    """A related record (or list of them) answered with its own domain's serializer."""

    def __init__(self, object_name: str, *, many: bool = False, required: bool = False, **kwargs):
        # Optional where expanded on request; an answer that always holds the record says so.
        self.object_name, self.many = object_name, many
        super().__init__(required=required, **kwargs)

    @property
    def serializer_class(self) -> type:
        return _SERIALIZERS[self.object_name]

    def to_representation(self, value):
        return self.serializer_class(value, many=self.many, context=self.context).data

    def to_internal_value(self, data):  # pragma: no cover - answers only
        raise NotImplementedError


class ExpandedFieldExtension(OpenApiSerializerFieldExtension):
    """The schema of an ExpandedField: its object's component (a list of them when many)."""

    target_class = ExpandedField

    def map_serializer_field(self, auto_schema, direction):
        component = auto_schema.resolve_serializer(self.target.serializer_class(), direction)
        return build_array_type(component.ref) if self.target.many else component.ref
