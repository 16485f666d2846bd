"""Serving the WSGI app on a threaded server, and starting one as a child process."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from pawpact_warehouse.app import WarehouseApp
from pawpact_warehouse.signing import headers_for
from pawpact_warehouse.store import Store
from pawpact_warehouse.worker import Worker


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 — the standard library's signature
        pass


def serve(*, host: str, port: int, db: str, key_id: str, secret: str, dispatch_delay: float | None, worker: bool):
    store = Store(db)
    if dispatch_delay is not None:
        store.config_set("dispatch_delay", str(dispatch_delay))
    app = WarehouseApp(store, key_id=key_id, secret=secret)
    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    if worker:
        Worker(store, key_id=key_id, secret=secret).start()
    print(f"Sandbox warehouse on http://{host}:{port}/ ({store.db.execute('SELECT COUNT(*) FROM skus').fetchone()[0]} SKUs)",
          flush=True)  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SandboxWarehouse:
    """A running sandbox warehouse (a child process) and a signed client for its controls."""

    url: str
    key_id: str
    secret: str
    process: subprocess.Popen = field(repr=False)

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        body = json.dumps(payload).encode() if payload is not None else b""
        headers = headers_for(self.key_id, self.secret, method, path, body)
        request = urllib.request.Request(self.url + path, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def control(self, path: str, payload: dict | None = None) -> dict:
        status, body = self.call("POST" if payload is not None else "GET", f"/_sandbox/{path}", payload)
        assert status == 200, (status, body)
        return body

    def faults(self, **faults) -> dict:
        return self.control("faults", faults)

    def tick(self, ahead: float = 0) -> dict:
        return self.control("tick", {"ahead": ahead})

    def orders(self) -> list[dict]:
        return self.control("orders")["orders"]

    def hold(self, *, order_id: str | None = None, everything: bool = False, hold: bool = True) -> dict:
        """Hold (or release) dispatch of one order, or of every order."""
        return self.control("holds", {"all": everything, "hold": hold} if order_id is None else {"order_id": order_id, "hold": hold})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(*, key_id: str = "sandbox", secret: str, port: int | None = None, db: str = ":memory:",
          worker: bool = False, dispatch_delay: float | None = None) -> SandboxWarehouse:  # fmt: skip
    """Start a sandbox warehouse on a loopback port and wait until it answers."""
    port = port or free_port()
    command = [sys.executable, "-m", "pawpact_warehouse", "--port", str(port), "--db", db]
    if not worker:
        command.append("--no-worker")
    if dispatch_delay is not None:
        command += ["--dispatch-delay", str(dispatch_delay)]
    env = {**os.environ, "PAWPACT_WAREHOUSE_KEY": key_id, "PAWPACT_WAREHOUSE_SECRET": secret}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    handle = SandboxWarehouse(url=f"http://127.0.0.1:{port}", key_id=key_id, secret=secret, process=process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The sandbox warehouse exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return handle
        except OSError:
            time.sleep(0.05)
    handle.stop()
    raise RuntimeError("The sandbox warehouse did not start within 20 s")
