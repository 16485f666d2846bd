"""Task decorators that say, and check, which schema a task runs in.

`tenant_task` tasks must be sent from inside a shop (a request on its domain or
`tenant_context`); they then run in that shop's schema and refuse to run in the
public one. `public_task` tasks run only in the public schema (dispatchers that
fan out over shops). Arguments are ids and results are ignored: JSON only.
"""
import functools

from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name


class WrongSchema(RuntimeError):
    pass


def _task(name: str, *, tenant: bool, **options):
    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            in_public = connection.schema_name == get_public_schema_name()
            if in_public == tenant:
                where = "a shop schema" if tenant else "the public schema"
                raise WrongSchema(f"{name} must run in {where}, not in {connection.schema_name!r}")
            return func(*args, **kwargs)

        options.setdefault("ignore_result", True)
        return shared_task(name=name, **options)(run)

    return decorate


def tenant_task(name: str, **options):
    return _task(name, tenant=True, **options)


def public_task(name: str, **options):
    return _task(name, tenant=False, **options)


@public_task("core.heartbeat")
def heartbeat() -> str:
    """Proves beat → broker → worker works; cheap enough to run every few minutes."""
    return "ok"
