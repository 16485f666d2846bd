"""Test session: a throw-away embedded PostgreSQL (unless DATABASE_URL is set),
the shop template, and two shops created once for the whole session."""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.config.embedded import postgres_start

SHOP_PASSWORD = "correct-horse-battery"
# CI (.ci/run) installs chromium and sets this: there, a browser test that is skipped fails the run.
BROWSER_REQUIRED = os.environ.get("PAWPACT_REQUIRE_BROWSER", "").strip() == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if BROWSER_REQUIRED and report.skipped and item.get_closest_marker("browser") is not None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"PAWPACT_REQUIRE_BROWSER=1, yet this browser test was skipped: {reason}"


def pytest_terminal_summary(terminalreporter):
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "browser" in report.keywords]
    if skipped:
        reason = skipped[0].longrepr[2] if isinstance(skipped[0].longrepr, tuple) else ""
        terminalreporter.write_line(
            f"{len(skipped)} browser test(s) skipped: {reason.removeprefix('Skipped: ')}. "
            "CI runs them (PAWPACT_REQUIRE_BROWSER=1 fails the run instead of skipping).",
            yellow=True,
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    if os.environ.get("DATABASE_URL"):
        return
    folder = Path(tempfile.mkdtemp(prefix="pawpact-test-"))
    # Registered first, so it runs last: after the server has stopped and deleted pgdata.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = postgres_start(folder / "pgdata", database="pawpact", throwaway=True)
    # Update in place: connections hold this very dict.
    settings.DATABASES["default"].update(
        {k: v for k, v in dj_database_url.parse(url).items() if k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After pytest-django's migrate: the public site, the template and two shops."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("migrate_platform", verbosity=0)
        _session_shop("alpha", "Alpha Pets")
        _session_shop("beta", "Beta Pets")


def _session_shop(slug: str, name: str):
    from pawpact.accounts.models import User
    from pawpact.tenants.services import shop_provision

    owner = User.objects.create_user(f"owner@{slug}.test", SHOP_PASSWORD, name=f"{name} owner")
    return shop_provision(name=name, slug=slug, owner=owner)


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _settings_language():
    # A page request activates its visitor's language in this thread and nothing resets it:
    # each test starts in the settings' language, whatever the test before it asked for.
    translation.deactivate()
    yield
    translation.deactivate()


def _back_to_public(**kwargs):
    # A request leaves the connection in its shop's schema (django-tenants resets it at
    # the start of the next request); a test that then queries public tables must not
    # resolve a shared table name, such as accounts_user, to the shop's copy.
    connection.set_schema_to_public()


request_finished.connect(_back_to_public, dispatch_uid="tests.back_to_public")


@pytest.fixture
def shop(db):
    from pawpact.tenants.models import Shop

    return Shop.objects.select_related("owner").get(slug="alpha")


@pytest.fixture
def other_shop(db):
    from pawpact.tenants.models import Shop

    return Shop.objects.select_related("owner").get(slug="beta")


def host_of(shop) -> str:
    return shop.get_primary_domain().domain


@pytest.fixture
def public_client(db):
    return Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)


@pytest.fixture
def shop_client(shop):
    return Client(HTTP_HOST=host_of(shop))


@pytest.fixture
def api_client(shop):
    return APIClient(HTTP_HOST=host_of(shop))


@pytest.fixture
def shop_staff(shop):
    """A staff member of `shop`, with an API token."""
    from pawpact.accounts.models import User
    from pawpact.accounts.services import api_token_issue

    with schema_context(shop.schema_name):
        user = User.objects.create_user("staff@alpha.test", SHOP_PASSWORD, name="Alpha staff", is_staff=True)
        user.api_token = api_token_issue(user=user)
    return user


class _Queries:
    def __init__(self, context):
        self.context = context

    @property
    def count(self) -> int:
        # django-tenants re-sets the search path before queries; that is not a query of the page.
        return sum(1 for query in self.context.captured_queries if not query["sql"].startswith("SET search_path"))


@pytest.fixture
def page_queries():
    """with page_queries() as queries: ...; queries.count → the page's SQL queries, search-path switches aside."""
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def capture():
        with CaptureQueriesContext(connection) as context:
            yield _Queries(context)

    return capture


def sandbox_sms_code(host: str, phone: str) -> str | None:
    """The six digits of the newest text the sandbox sent to `phone` at the shop on `host`."""
    import re

    from django_tenants.utils import get_tenant_domain_model

    from pawpact.messaging.sms import sandbox_inbox

    shop = get_tenant_domain_model().objects.select_related("tenant").get(domain=host).tenant
    with schema_context(shop.schema_name):
        texts = sandbox_inbox(phone=phone)
    found = re.search(r"\b(\d{6})\b", texts[0]["text"]) if texts else None
    return found.group(1) if found else None


def api_register(client, body: dict):
    """Self-service registration through the API as a frontend does it: start, read the
    code from the email and the one texted to the phone, confirm. The confirmation's response."""
    import re

    from django.core import mail

    started = client.post("/api/v1/customers/register", body, format="json")
    assert started.status_code == 202, started.content
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    sms_code = sandbox_sms_code(client.defaults["HTTP_HOST"], body["phone"])
    confirmed = {"email": body["email"], "code": code, "sms_code": sms_code}
    return client.post("/api/v1/customers/register/confirm", confirmed, format="json")
