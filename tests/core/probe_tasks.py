"""Tasks that report the schema they ran in, for the task tests."""
from django.db import connection

from pawpact.accounts.models import User
from pawpact.core.tasks import public_task, tenant_task


@tenant_task("tests.probe_tenant", ignore_result=False)
def probe_tenant() -> list:
    # The users visible from here prove the schema, not just the connection's label.
    return [connection.schema_name, sorted(User.objects.values_list("email", flat=True))]


@public_task("tests.probe_public", ignore_result=False)
def probe_public() -> str:
    return connection.schema_name
