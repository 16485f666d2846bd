"""The API's own addresses, outside any domain: the health check, the JSON 404, and the schema
and its docs page in either language of the API: `?lang=zh-hans` for Chinese, `?lang=en` for
English (without `lang`: the request's `Accept-Language`, else English). Any other `lang` answers
400 `invalid` rather than a schema in a language nobody asked for (Django would fall back
silently, mixing its own catalog in)."""
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.serializers import ApiRootSerializer, HealthSerializer
from pawpact.api.versioning import LATEST
from pawpact.core.errors import NotFound, ValidationFailed


class ApiRootApi(APIView):
    """Where a developer starts: which shop this host is, the API version, the docs and schema."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ApiRootSerializer}, auth=[], summary=gettext_lazy("This shop's API: version, docs and schema"))
    def get(self, request):
        body = {"shop": request.tenant.slug, "name": request.tenant.name, "version": LATEST,
                "docs": request.build_absolute_uri(reverse("api_docs")),
                "schema": request.build_absolute_uri(reverse("api_schema_json"))}  # fmt: skip
        return Response(ApiRootSerializer(body).data)


class HealthCheckApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HealthSerializer}, auth=[], summary=gettext_lazy("Is this shop's API up?"))
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database = cursor.fetchone() == (1,)
        return Response(HealthSerializer({"status": "ok", "shop": request.tenant.slug, "database": database}).data)


@extend_schema(exclude=True)
class NotFoundApi(APIView):
    """Every address under /api/v1/ that no route matches, a malformed id included:
    a 404 in the API's error shape (not the site's HTML page), for any method and
    before authentication, so it tells nothing about what exists."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(_("Not found."))


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


class SchemaDocsApi(SpectacularSwaggerSplitView):
    """Swagger UI with a switch between the English and the Chinese schema."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return _language_refusal(request) or super().get(request, *args, **kwargs)
