"""python -m pawpact_warehouse [--host 127.0.0.1] [--port 8700] [--db FILE] [--no-worker]

The key id and secret come from PAWPACT_WAREHOUSE_KEY / PAWPACT_WAREHOUSE_SECRET (the run
command sets them, and registers the same pair on the platform's side).
"""
import argparse
import os
import sys

from pawpact_warehouse.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pawpact_warehouse", description="Sandbox partner warehouse.")
    parser.add_argument("--host", default=os.environ.get("PAWPACT_WAREHOUSE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PAWPACT_WAREHOUSE_PORT", "8700")))
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument("--dispatch-delay", type=float, default=None, help="seconds from order to dispatch")
    parser.add_argument("--no-worker", action="store_true", help="dispatch and call back only on /_sandbox/tick")
    args = parser.parse_args(argv)
    key_id = os.environ.get("PAWPACT_WAREHOUSE_KEY", "sandbox")
    secret = os.environ.get("PAWPACT_WAREHOUSE_SECRET", "")
    if not secret:
        print("Set PAWPACT_WAREHOUSE_SECRET (the shared HMAC secret).", file=sys.stderr)
        return 2
    serve(host=args.host, port=args.port, db=args.db, key_id=key_id, secret=secret,
          dispatch_delay=args.dispatch_delay, worker=not args.no_worker)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
