"""The API's own addresses, outside any domain: the health check and the JSON 404."""
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.serializers import ApiRootSerializer, HealthSerializer
from pawpact.api.versioning import LATEST
from pawpact.core.errors import NotFound


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
