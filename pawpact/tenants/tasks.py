from django.conf import settings

from pawpact.core.tasks import public_task
from pawpact.tenants.template import spare_schemas_fill


@public_task("tenants.spare_schemas_fill")
def spare_schemas_fill_task() -> int:
    """Keep spare shop schemas ready so signups never wait for a schema to be built."""
    return spare_schemas_fill(count=settings.PAWPACT_SPARE_SCHEMAS)
