"""Production refuses to start without what it needs, naming every missing value at once."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pawpact.config.settings.requirements import production_message, production_problems

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 25 + "Q7-x_9" * 5
COMPLETE = {
    "DJANGO_SECRET_KEY": KEY,
    "DATABASE_URL": "postgres://u:p@db:5432/x",
    "REDIS_URL": "redis://r:6379/0",
    "PAWPACT_BASE_DOMAIN": "pawpact.example",
}
NEW_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def test_a_complete_environment_has_no_problem():
    assert production_problems(COMPLETE) == []
    assert production_problems({**COMPLETE, "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}) == []


def test_an_empty_environment_names_every_missing_value():
    assert production_problems({}) == [
        f"DJANGO_SECRET_KEY is not set: at least 50 random characters, e.g. from {NEW_SECRET}.",
        "DATABASE_URL is not set: the PostgreSQL database, postgres://user:password@host:5432/name.",
        "REDIS_URL is not set: the Redis of the task queue and cache, redis://host:6379/0.",
        "PAWPACT_BASE_DOMAIN is not set: the public site's domain (shops live at <slug>.<domain>); "
        "allowed hosts come from it.",
    ]


@pytest.mark.parametrize(
    "overrides, problem",
    [({"DJANGO_SECRET_KEY": "short"},
      "DJANGO_SECRET_KEY is too weak: use at least 50 random characters, not starting with 'django-insecure' "
      f"(e.g. from {NEW_SECRET})."),
     ({"DJANGO_SECRET_KEY": "django-insecure-" + KEY}, None),
     ({"DJANGO_SECRET_KEY": "ab" * 40}, None),
     ({"PAWPACT_BASE_DOMAIN": "localhost"},
      "PAWPACT_BASE_DOMAIN=localhost cannot be served: give the bare public domain, e.g. pawpact.example."),
     ({"PAWPACT_BASE_DOMAIN": "https://pawpact.example/"},
      "PAWPACT_BASE_DOMAIN=https://pawpact.example/ cannot be served: give the bare public domain, "
      "e.g. pawpact.example."),
     ({"STRIPE_SECRET_KEY": "sk_live_x"},
      "STRIPE_WEBHOOK_SECRET is not set while Stripe is enabled (STRIPE_SECRET_KEY is set): without it no "
      "Stripe webhook can be verified; copy the endpoint's signing secret (whsec_...)."),
     ({"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "  "}, "STRIPE_WEBHOOK_SECRET is not set"),
     ({"DATABASE_URL": " "}, "DATABASE_URL is not set: the PostgreSQL database, "
                              "postgres://user:password@host:5432/name.")],
)  # fmt: skip
def test_each_unusable_value_is_one_problem(overrides, problem):
    problems = production_problems({**COMPLETE, **overrides})

    assert len(problems) == 1
    if problem is None:  # same text as the short key's
        assert problems[0].startswith("DJANGO_SECRET_KEY is too weak:")
    else:
        assert problems[0].startswith(problem)


def test_the_process_stops_with_the_message_and_starts_nothing():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAWPACT_", "DJANGO_", "STRIPE_"))}
    env.update({**COMPLETE, "STRIPE_SECRET_KEY": "sk_live_x", "PAWPACT_BASE_DOMAIN": ""})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=pawpact.config.settings.production"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode != 0
    expected = production_message(production_problems(env))
    assert expected.count("\n  - ") == 2  # the domain and the Stripe webhook secret
    assert f"django.core.exceptions.ImproperlyConfigured: {expected}" in result.stderr
