import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pawpact.config.settings.base")
application = get_wsgi_application()

# The API's schemas are built before the first request, not during it (pawpact.api.strict_query):
# only web processes import this module, so management commands and workers skip the cost.
from pawpact.api.strict_query import schemas_build  # noqa: E402

schemas_build()
