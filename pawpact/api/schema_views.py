"""The schema and its docs page in either language of the API: `?lang=zh-hans` for Chinese,
`?lang=en` for English (without `lang`: the request's `Accept-Language`, else English). Any other `lang` answers 400 `invalid` rather than a schema
in a language nobody asked for (Django would fall back silently, mixing its own catalog in)."""
from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerSplitView

from pawpact.core.errors import ValidationFailed

SCHEMA_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def _language_refusal(request) -> JsonResponse | None:
    language = request.GET.get("lang")
    if language is None or language in SCHEMA_LANGUAGES:
        return None
    refusal = ValidationFailed(
        _("This language is not offered."),
        fields={"lang": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(SCHEMA_LANGUAGES)}]},
    )
    return JsonResponse(refusal.as_dict(), status=refusal.http_status, json_dumps_params={"ensure_ascii": False})


class SchemaApi(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return _language_refusal(request) or super().get(request, *args, **kwargs)


class SchemaJsonApi(SpectacularJSONAPIView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return _language_refusal(request) or super().get(request, *args, **kwargs)


class SchemaDocsPage(SpectacularSwaggerSplitView):
    """Swagger UI with a switch between the English and the Chinese schema."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return _language_refusal(request) or super().get(request, *args, **kwargs)
