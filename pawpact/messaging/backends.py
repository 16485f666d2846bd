"""Where stored messages go, chosen by a setting like Django's EMAIL_BACKEND.

    PAWPACT_MESSAGE_BACKEND = "pawpact.messaging.backends.DatabaseBackend"  # the default

Every message is stored by `message_send` before a backend sees it; the backend
only delivers. `DatabaseBackend` delivers nothing more (the stored row is the
in-app message, and what staff and the customer read); `ConsoleBackend` also
prints each message, for development. A real SMS gateway is one more class with
the same `send_messages`, and is called only after the storing transaction commits.

Each backend says which channels reach the customer (`delivered_channels`): what the
shop promises in writing (the agreement's reminders) follows it, so nothing is promised
on a channel that only keeps a copy.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from pawpact.messaging.models import Message

DEFAULT_BACKEND = "pawpact.messaging.backends.DatabaseBackend"


class BaseBackend:
    """Deliver stored messages; return how many were delivered. Raise to mark them failed."""

    # The channels whose messages reach the customer through this backend.
    delivered_channels: frozenset[str] = frozenset()
    # A sandbox backend delivers nothing outside the database: a live shop's SMS and email
    # are refused (stored as failed, with the reason) instead of counted as sent.
    is_sandbox = False

    def send_messages(self, messages: Sequence[Message]) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    @classmethod
    def path(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"


class DatabaseBackend(BaseBackend):
    """Storing is delivering: in-app messages are read from the table, SMS copies are kept there."""

    delivered_channels = frozenset({"in_app"})
    is_sandbox = True

    def send_messages(self, messages: Sequence[Message]) -> int:
        return len(messages)


class ConsoleBackend(BaseBackend):
    """Stores (like every backend) and prints each message to a stream (stdout by default)."""

    delivered_channels = frozenset({"in_app"})  # printing reaches a developer, not the customer
    is_sandbox = True

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._lock = threading.RLock()

    def send_messages(self, messages: Sequence[Message]) -> int:
        stream = self.stream or sys.stdout
        with self._lock:
            for message in messages:
                stream.write(
                    f"[{message.channel}/{message.category}] to customer {message.customer_id} "
                    f"({message.topic}) {message.subject}\n{message.body}\n{'-' * 40}\n"
                )
            stream.flush()
        return len(messages)


def backend_path() -> str:
    return getattr(settings, "PAWPACT_MESSAGE_BACKEND", DEFAULT_BACKEND) or DEFAULT_BACKEND


def channels_delivered() -> frozenset[str]:
    """The channels the configured backend delivers to customers."""
    return import_string(backend_path()).delivered_channels


def backend_is_sandbox(path: str | None = None) -> bool:
    return bool(getattr(import_string(path or backend_path()), "is_sandbox", False))


def backend_get(path: str | None = None) -> BaseBackend:
    """An instance of the configured backend (or of `path`)."""
    return import_string(path or backend_path())()
