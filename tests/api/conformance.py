"""Runs schemathesis against a shop's API in this process, inside the test's transaction.

The engine calls the WSGI app from its own worker threads; each call borrows the test's
database connection (as Django's live server does for in-memory SQLite), one call at a
time, so whatever the run writes is rolled back with the test.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.transport.wsgi import WSGITransport

from pawpact.api.versioning import LATEST
from pawpact.config.wsgi import application


@dataclass(frozen=True, order=True)
class Failure:
    operation: str
    check: str
    title: str
    message: str
    # What was sent and answered, for the reader; not part of a failure's identity.
    example: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.operation} [{self.check}] {self.title}: {self.message[:300]}\n    {self.example}"


class SharedConnectionApp:
    """The project's WSGI app on one host, serialised onto the caller's connection."""

    def __init__(self, host: str):
        self.host = host
        self.connection = connections["default"]
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        environ["HTTP_HOST"] = self.host
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")  # the in-process client leaves it out
        with self.lock:
            connections["default"] = self.connection
            return list(application(environ, start_response))


_send = WSGITransport.send


def _send_in_process(self, case, *, session=None, **kwargs):
    # schemathesis 4.32 hands the in-process transport network-only options it refuses.
    for name in ("max_redirects", "verify", "cert", "proxies"):
        kwargs.pop(name, None)
    return _send(self, case, session=session, **kwargs)


def run(*, host: str, token: str | None, max_examples: int, phases: tuple[str, ...], seed: int = 1) -> list[Failure]:
    """Every distinct failure of one run, sorted."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "workers": 1,
            "headers": {"Authorization": f"Token {token}"} if token else {},
            "generation": {"max-examples": max_examples, "database": "none", "deterministic": True},
            "phases": {name: _phase(name, phases) for name in ("examples", "coverage", "fuzzing", "stateful")},
            "warnings": False,
            # Each run is given its credential (or none, for the anonymous one): schemathesis
            # must not sign up an account of its own through the phone sign-in it finds.
            "auth": {"auto-signup": False},
            # Nothing kept between runs: each run is the same, and writes no files.
            "cache": {"enabled": False},
            # 422 is the API's answer to input the schema allows but the shop's rules refuse
            # (a state, a role, a policy); 400 is kept for input the schema itself refuses.
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 401, 403, 404, 409, 422, 429]}},
            # A cursor is opaque: only the server makes valid ones. "o=0" is the first page.
            # The schema describes the latest version's answers; older versions are answered in
            # their own shapes (pawpact.api.version_shapes, tests/api/test_versioning.py).
            "parameters": {"query.cursor": "bz0w", "header.Pawpact-Version": LATEST},
        }
    )
    app = SharedConnectionApp(host)
    app.connection.inc_thread_sharing()
    # As Django's test client does: the borrowed connection is inside the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    WSGITransport.send = _send_in_process
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema.json", app, config=config)
        return _failures(schemathesis.engine.from_schema(schema).execute())
    finally:
        WSGITransport.send = _send
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        app.connection.dec_thread_sharing()
        connections["default"] = app.connection


def _phase(name: str, enabled: tuple[str, ...]) -> dict:
    phase: dict = {"enabled": name in enabled}
    if name == "fuzzing":
        # Error feedback copies members of an error body (our `fields`) into the next
        # "valid" request, which the schema's additionalProperties: false forbids.
        phase["error-feedback"] = {"enabled": False}
    return phase


def _failures(stream) -> list[Failure]:
    found: set[Failure] = set()
    for event in stream:
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            found.add(Failure(event.label, "error", type(event.value).__name__, str(event.value)))
        recorder = getattr(event, "recorder", None)
        if recorder is None:
            continue
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status == Status.FAILURE and check.failure_info is not None:
                    failure = check.failure_info.failure
                    example = _example(recorder.interactions.get(case_id))
                    found.add(Failure(recorder.label, check.name, failure.title, failure.message, example))
    return sorted(found)


def _example(interaction) -> str:
    if interaction is None or interaction.response is None:
        return ""
    request, response = interaction.request, interaction.response
    body = (request.body or b"")[:200] if isinstance(request.body, bytes) else str(request.body)[:200]
    answer = (response.content or b"")[:600]
    return f"{request.method} {request.uri} {body!r} -> {response.status_code} {answer!r}"
