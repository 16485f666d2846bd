"""A sandbox partner warehouse: a small, separate HTTP service that implements the
warehouse protocol (docs/warehouse-protocol.md) with its own SQLite store.

It stands for an outside party, so it imports nothing from `pawpact`: it signs and
verifies with its own code, and the platform's tests talk to it only over HTTP.
Run it with `python -m pawpact_warehouse --port 8700`; `./dev run` starts it beside
the platform, tests start one per test module on a free loopback port.
"""
