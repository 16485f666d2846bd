from django.conf import settings

from pawpact.core.tasks import public_task
from pawpact.tenants.template import spare_schemas_discard_stale, spare_schemas_fill


@public_task("tenants.spare_schemas_fill")
def spare_schemas_fill_task() -> int:
    """Keep spare shop schemas ready so signups never wait for a schema to be built; spares an
    older release left behind the template are dropped, so the count stays at the setting."""
    spare_schemas_discard_stale(other_states=False)
    return spare_schemas_fill(count=settings.PAWPACT_SPARE_SCHEMAS)
