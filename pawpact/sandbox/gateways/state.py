"""A fake gateway's state in a small JSON file, so a local test platform restarted keeps what
its providers know: agreements, trades, refunds, registered apps and merchants, bills.

A real provider never forgets a trade; a fake that did would answer yesterday's statement
empty and every query about an earlier debit "no such trade" after `./dev run` restarts.
JSON (tagged for what JSON lacks: tuple keys, sets, decimals) keeps the file readable when
a demo goes wrong; it is written whole to a temporary file and renamed over the old one, so
a process killed mid-write leaves the previous state, never half a file. Only the run
command's gateways keep a file; tests and benchmarks keep state in memory.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from decimal import Decimal
from pathlib import Path

logger = logging.getLogger(__name__)


class Sequence:
    """Numbers for provider ids (trade_no, agreement_no…), continued after a restart so that
    no id is given twice."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def __next__(self) -> int:
        with self._lock:
            self.value += 1
            return self.value

    def __iter__(self):
        return self

    def advance_to(self, value: int) -> None:
        with self._lock:
            self.value = max(self.value, int(value))


def _encode(value):
    if isinstance(value, dict):
        if any(not isinstance(key, str) for key in value):
            return {"__items__": [[_encode(key), _encode(item)] for key, item in value.items()]}
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(item) for item in value]}
    if isinstance(value, set):
        return {"__set__": [_encode(item) for item in sorted(value, key=repr)]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    return value


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__items__" in value:
        return {_decode(key): _decode(item) for key, item in value["__items__"]}
    if "__tuple__" in value:
        return tuple(_decode(item) for item in value["__tuple__"])
    if "__set__" in value:
        return {_decode(item) for item in value["__set__"]}
    if "__decimal__" in value:
        return Decimal(value["__decimal__"])
    return {key: _decode(item) for key, item in value.items()}


def state_encode(state: dict) -> str:
    return json.dumps(_encode(state), ensure_ascii=False)  # key order kept: Stripe lists in booking order


def state_decode(text: str) -> dict:
    return _decode(json.loads(text))


class PersistentState:
    """Mixed into a fake: `STATE_FIELDS` are its attributes kept in the file; a fake with
    objects JSON cannot hold (keys) adds them in `state_extra_dump` / `state_extra_load`."""

    STATE_FIELDS: tuple[str, ...] = ()
    state_path: Path | None = None
    _state_lock = threading.Lock()

    def state_dump(self) -> dict:
        return {"fields": {name: getattr(self, name) for name in self.STATE_FIELDS}, **self.state_extra_dump()}

    def state_load(self, state: dict) -> None:
        for name, value in state.get("fields", {}).items():
            if name in self.STATE_FIELDS:
                setattr(self, name, value)
        self.state_extra_load(state)

    def state_extra_dump(self) -> dict:
        return {}

    def state_extra_load(self, state: dict) -> None:
        pass

    def persist_to(self, path: Path) -> None:
        """Keep the state in `path` from now on, starting from what it holds (if anything)."""
        self.state_path = path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        self.state_load(state_decode(text))

    def state_save(self) -> None:
        """Write the whole state to the file (a no-op for fakes that keep none)."""
        path = self.state_path
        if path is None:
            return
        with self._state_lock:
            with self._lock:  # type: ignore[attr-defined]  (the fake's lock: a consistent picture)
                text = state_encode(self.state_dump())
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(draft, path)
