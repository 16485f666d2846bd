"""The shop URLs plus the survey page, until pawpact/config/urls_tenant.py includes
pawpact.messaging.urls (then this adds nothing new: the first match wins)."""
from django.urls import include, path

from pawpact.config.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [path("", include("pawpact.messaging.urls")), *tenant_urlpatterns]
