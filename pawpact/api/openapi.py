"""What the schema says beyond each operation's own serializers: the statuses that
answer in the one error shape, the `Idempotency-Key` header, and input rules the
server enforces that DRF's fields do not describe by themselves."""
from pathlib import Path

from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny

from pawpact.api.catalogue import catalogue_markdown, error_catalogue
from pawpact.api.expand import PARAMETER as EXPAND_PARAMETER
from pawpact.api.fields import MAX_ID, MetadataInputField, ObjectField
from pawpact.api.opaque_ids import OpaqueIdField, id_pattern, opaque_id
from pawpact.api.operation_errors import operation_codes
from pawpact.api.query import EMPTY_MEANS_ABSENT
from pawpact.api.schema_sections import description_sections, guide_line
from pawpact.api.serializers import ErrorSerializer, InputSerializer
from pawpact.api.versioning import VERSIONS

# Text never holds a NUL character (DRF refuses it) nor invisible or text-direction
# characters (pawpact.core.text), and a trimmed, required text keeps one visible
# character: "   " is refused like "".
_REFUSED = r"\x00\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
NO_NUL = rf"^[^{_REFUSED}]*$"
NOT_ONLY_WHITESPACE = rf"^[^{_REFUSED}]*[^\s{_REFUSED}][^{_REFUSED}]*$"


def _text_pattern(field: serializers.CharField) -> str:
    return NOT_ONLY_WHITESPACE if field.trim_whitespace and not field.allow_blank else NO_NUL


def error_responses(*codes: int) -> dict[int, type[ErrorSerializer]]:
    return {code: ErrorSerializer for code in codes}


# What a shop's operations may answer besides success.
ERRORS = error_responses(400, 401, 403, 404, 409, 422)

_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"

API_VERSION_PARAMETER = OpenApiParameter(
    "Pawpact-Version", str, OpenApiParameter.HEADER, required=False, enum=list(VERSIONS),
    description=gettext_lazy("The dated API version to answer in; default: the one the token was signed in with, "
    "else the latest. The answer's `Pawpact-Version` header names the version used. This schema describes the "
    "latest version's answers; what older ones answer differently: docs/api-changelog.md."),
)  # fmt: skip

IDEMPOTENCY_KEY_DESCRIPTION = gettext_lazy(
    "1–255 visible ASCII characters, new for every distinct request (a UUID serves well): a retry with the "
    "same key gets the first successful answer again, marked `Idempotent-Replayed: true`, without a second "
    "effect; the same key with a different request answers 422 `idempotency_key_reused`; while the first "
    "request is still running, 409 `idempotency_key_in_use`. Keys are kept 24 hours, per credential."
)


def idempotency_key(*, required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "Idempotency-Key",
        {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
        OpenApiParameter.HEADER,
        required=required,
        description=IDEMPOTENCY_KEY_DESCRIPTION if required else format_lazy(
            gettext_lazy("Optional. {description}"), description=IDEMPOTENCY_KEY_DESCRIPTION
        ),
    )


# For an explicit `parameters=[IDEMPOTENCY_KEY]`; the AutoSchema adds the header by itself
# to every view method decorated with @idempotent.
IDEMPOTENCY_KEY = idempotency_key(required=True)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the rules DRF's fields do not state themselves: a
    trimmed text field needs a visible character, a decimal a digit, and a body whose
    serializer sets `min_properties` at least that many members."""

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), API_VERSION_PARAMETER]
        required = self._idempotency_required()
        if required is not None:
            parameters.append(idempotency_key(required=required))
        return parameters

    def get_description(self):
        # An operation without `description=` is described by its view's docstring, which
        # cannot be a gettext call: pawpact/api/schema_texts.py lists those for translation.
        description = super().get_description()
        return _(description) if description else description

    def get_operation_id(self):
        # A one-page list keeps the `_list` operation id a list has (generated clients name
        # their functions by it), though its view is not a DRF list view.
        operation_id = super().get_operation_id()
        response = self.get_response_serializers()
        if self.method == "GET" and isinstance(response, dict) and getattr(response.get(200), "one_page", False):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.get("responses", {})
        # Any request may name an API version that does not exist (400 `api_version_invalid`).
        responses.setdefault("400", {"description": "", "content": _ERROR_CONTENT})
        if self._idempotency_required() is not None:
            for code, response in responses.items():
                if str(code).startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = {
                        "schema": {"type": "string", "enum": ["true"]},
                        "description": _("Present on a replayed answer: this request was answered before with "
                        "the same Idempotency-Key, and nothing happened again."),
                    }
        self._error_codes_add(operation)
        if getattr(self.view, "throttle_scope", None):
            responses["429"] = {
                "description": _("Too many attempts from this address or for this account: wait `Retry-After` "
                "seconds (code `throttled`)."),
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                "x-error-codes": ["throttled"],
            }
        return operation

    def _error_codes_add(self, operation: dict) -> None:
        """Each error status the operation can answer, with its codes (`x-error-codes`)."""
        public = any(permission is AllowAny for permission in getattr(self.view, "permission_classes", ()))
        parameters = {parameter.get("name") for parameter in operation.get("parameters", [])}
        codes = operation_codes(
            view=self.view, method=self.method, path=self.path, has_body="requestBody" in operation, public=public,
            expands=EXPAND_PARAMETER in parameters, takes_metadata=self._takes_metadata(),
        )  # fmt: skip
        responses = operation.setdefault("responses", {})
        for status, names in sorted(codes.items()):
            response = responses.setdefault(str(status), {"description": "", "content": _ERROR_CONTENT})
            response["x-error-codes"] = sorted(names)
        # An error status declared for the view (ERRORS) that nothing the operation runs answers
        # with: listing every code of that status would send a client after codes it never meets.
        for status in [status for status in responses if str(status)[0] in "45" and int(status) not in codes]:
            del responses[status]

    def _takes_metadata(self) -> bool:
        serializer = force_instance(self.get_request_serializer()) if self.method in ("POST", "PUT", "PATCH") else None
        fields = serializer.fields if isinstance(serializer, serializers.Serializer) else {}
        return any(isinstance(field, MetadataInputField) for field in fields.values())

    def _idempotency_required(self) -> bool | None:
        handler = getattr(self.view, self.method.lower(), None)
        return getattr(handler, "idempotency_required", None)

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if schema.get("description"):  # the serializer's docstring, like a view's (get_description)
            schema["description"] = _(schema["description"])
        if direction == "request" and isinstance(serializer, InputSerializer):
            schema["additionalProperties"] = False
        minimum = getattr(serializer, "min_properties", None)
        if direction == "request" and minimum:
            schema["minProperties"] = minimum
        if direction == "request" and getattr(serializer, "max_properties", 0):
            schema["maxProperties"] = serializer.max_properties
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.field_name == "object" and direction == "response":
            value = _object_value(field)
            if value is not None:
                # Left as a default here, made a one-value enum after the enum hook has run
                # (schema_postprocess), so no enum component is made for each resource type.
                return {"type": "string", "readOnly": True, "default": value, "description": _("Always `%(value)s`.") % {"value": value}}
        if isinstance(field, OpaqueIdField):
            opaque = {"type": "string", "pattern": id_pattern(field.prefix), "example": opaque_id(field.prefix, 1)}
            flags = {"readOnly": field.read_only, "nullable": field.allow_null}
            return {**opaque, **{flag: True for flag, value in flags.items() if value}}
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and type(field) is serializers.CharField and schema.get("type") == "string":
            schema.setdefault("pattern", _text_pattern(field))
        if (
            direction == "request"
            and isinstance(field, (serializers.ListSerializer, serializers.ListField))
            and not field.allow_empty
        ):
            schema["minItems"] = max(schema.get("minItems", 0), 1)
        if direction == "request" and isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
            # drf-spectacular's pattern lets "" and "." through; the field refuses both.
            whole = (field.max_digits or 20) - (field.decimal_places or 0)
            places = field.decimal_places or 0
            schema["pattern"] = rf"^-?(?:[0-9]{{1,{whole}}}(?:\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})$"
        return schema


def _object_value(field: serializers.Field) -> str | None:
    """The fixed type name an `object` field answers, whichever way the serializer declares it."""
    if isinstance(field, ObjectField):
        return field.value
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(field.parent, field.method_name)(None)
    default = getattr(field, "default", empty)
    return default if isinstance(default, str) else None


def _object_enums(components: dict) -> None:
    """Every resource's `object` as a one-value enum, so a client can switch on it."""
    for component in components.values():
        field = component.get("properties", {}).get("object")
        if field and isinstance(field.get("default"), str) and "enum" not in field:
            field["enum"] = [field.pop("default")]


def _path_numbers_bounded(paths: dict) -> None:
    """A record number in a path is 1 to the largest bigint: a larger one names no record (404)."""
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"].setdefault("minimum", 1)
                    parameter["schema"].setdefault("maximum", MAX_ID)


def _empty_searches_allowed(paths: dict) -> None:
    """A search box sent empty (`search=`, or only spaces) means "not sent" (pawpact.api.query):
    the schema lets such a value through rather than stating a minimum the server does not keep."""
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and parameter.get("name") in EMPTY_MEANS_ABSENT:
                    parameter["schema"].pop("minLength", None)
                    parameter["schema"]["pattern"] = NO_NUL
                    parameter["allowEmptyValue"] = True


_DESCRIPTION = Path(__file__).with_name("description.md")
# The same, translated for Chinese developers (`?lang=zh-hans`); keep both in step.
_DESCRIPTION_ZH = Path(__file__).with_name("description.zh-hans.md")


def schema_postprocess(result: dict, generator, request, public: bool) -> dict:
    """drf-spectacular hook: the conventions, error catalogue and sandbox values as the API's
    description; every error response lists the codes of its status; `code` is an enum.
    The platform API's schema keeps its own description."""
    _object_enums(result.get("components", {}).get("schemas", {}))
    _path_numbers_bounded(result.get("paths", {}))
    _empty_searches_allowed(result.get("paths", {}))
    if any(path.startswith("/api/v1/platform/") for path in result.get("paths", {})):
        return result
    chinese = (get_language() or "").lower().startswith("zh")
    description = (_DESCRIPTION_ZH if chinese else _DESCRIPTION).read_text()
    description = description.replace("{catalogue}", catalogue_markdown(translated=True))
    result["info"]["description"] = f"{guide_line()}\n\n{description}\n\n{description_sections()}"
    _shop_security(result)
    error = result.get("components", {}).get("schemas", {}).get("Error")
    if error is not None:
        error["properties"]["code"]["enum"] = sorted(entry.code for entry in error_catalogue())
    for operations in result["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45" and str(status).isdigit():
                    listed = response.get("x-error-codes", [])
                    codes = ", ".join(f"`{code}`" for code in listed)
                    described = _("Codes: %(codes)s.") % {"codes": codes} if codes else None
                    response["description"] = described or response.get("description", "")
    return result


# On a shop's API a device's `Token` is read by DeviceTokenAuthentication (DRF's own token class,
# which the platform's admins use, reads the same header and would list it twice), and the
# session cookie serves only the shop's own same-origin pages (no CORS credentials): an
# integrator authenticates with the two schemes kept.
_SHOP_SCHEMES = ("secretKey", "deviceToken")


def _shop_security(result: dict) -> None:
    schemes = result.get("components", {}).get("securitySchemes", {})
    for name in [name for name in schemes if name not in _SHOP_SCHEMES]:
        del schemes[name]
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "security" in operation:
                kept = [entry for entry in operation["security"] if not entry or set(entry) <= set(_SHOP_SCHEMES)]
                operation["security"] = kept


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pawpact.accounts.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("`Token <access token>` of a signed-in device (`/auth/token`, `/auth/wechat`); "
            "it expires (401 `token_expired`): exchange the refresh token at `/auth/refresh`."),
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "pawpact.api.key_auth.ApiKeyAuthentication"
    name = "secretKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _("`Bearer sk_test_…` or `Bearer sk_live_…`: a secret API key for your server, made by "
            "the shop's owner (Settings → Developers, or `POST /api-keys`). It acts with the owner's staff "
            "permissions until revoked; a key of the other mode answers 401 `api_key_wrong_mode`, an unknown "
            "or revoked one 401 `api_key_invalid`. Never put it in a mini-program or a web page."),
        }
