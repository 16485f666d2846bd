"""Cursor pages. A page size or cursor the client got wrong answers 400 instead of being
quietly replaced by the default, so a frontend learns of its mistake at once."""
import re
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.pagination import CursorPagination as DrfCursorPagination
from rest_framework.response import Response

from pawpact.api.fields import ObjectField
from pawpact.core.errors import ValidationFailed

_DIGITS = re.compile(r"[0-9]{1,6}")


class CursorPagination(DrfCursorPagination):
    """Stable pages on growing tables: newest first, by a monotonically increasing id."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
    page_size_query_description = gettext_lazy("Results per page: 1–200 (default 50).")
    cursor_query_description = gettext_lazy("The `next` or `previous` link's cursor; opaque.")

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationFailed(
                _("Some fields are invalid."),
                fields={"page_size": [_("Ask for 1 to %(max)d results.") % {"max": self.max_page_size}]},
            )
        return int(raw)

    def decode_cursor(self, request):
        # DRF reads an empty cursor as the first page; the schema says a cursor has a character.
        if request.query_params.get(self.cursor_query_param) == "":
            raise self._cursor_invalid()
        try:
            return super().decode_cursor(request)
        except DrfNotFound:
            raise self._cursor_invalid() from None

    @staticmethod
    def _cursor_invalid() -> ValidationFailed:
        return ValidationFailed(
            _("Some fields are invalid."), fields={"cursor": [_("Use the cursor of a `next` or `previous` link.")]}
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": 50}
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "minLength": 1}
        return parameters

    def get_paginated_response(self, data) -> Response:
        next_link = self.get_next_link()
        return Response(
            {"object": "list", "has_more": next_link is not None, "next": next_link,
             "previous": self.get_previous_link(), "results": data}
        )  # fmt: skip

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            "object": {"type": "string", "enum": ["list"]},
            "has_more": {"type": "boolean", "description": gettext_lazy("Whether `next` leads to more results.")},
            **response["properties"],
        }
        response["required"] = ["object", "has_more", "next", "previous", "results"]
        return response


class CallTaskPagination(CursorPagination):
    """The call queue: the task due soonest first."""

    ordering = ("due_on", "id")


def one_page(results: list) -> Response:
    """A short, bounded collection (a contract's periods, the event types…) in the list shape
    every list has, all of it on one page: the same client code reads both."""
    response = Response({"object": "list", "has_more": False, "next": None, "previous": None, "results": results})
    response.one_page = True  # clients of 2026-12-01 get the bare array (pawpact.api.version_shapes)
    return response


@cache
def one_page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of `one_page` for items of one serializer: component `<Item>List`."""
    name = item.__name__.removesuffix("Serializer")
    fields = {
        "object": ObjectField("list"),
        "has_more": serializers.BooleanField(help_text=gettext_lazy("Always false: the whole collection is on this page.")),
        "next": serializers.CharField(allow_null=True, help_text=gettext_lazy("Always null.")),
        "previous": serializers.CharField(allow_null=True, help_text=gettext_lazy("Always null.")),
        "results": item(many=True),
    }
    attributes = {**fields, "one_page": True, "__module__": __name__}
    return type(f"{name}ListSerializer", (serializers.Serializer,), attributes)
