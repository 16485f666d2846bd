"""The run command says "Ready" only once the web answers /readyz, and only then runs the
demo loaders (they no longer import Django beside the booting web workers)."""

import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from pawpact.config import dev_ready
from pawpact.config.devstack import _demo_after_start


def _server(statuses: list[int]) -> HTTPServer:
    """Answers /readyz with the given statuses in turn, then the last one."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_ready_is_said_after_the_web_answers_and_the_loaders_run_after_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dev_ready, "POLL_SECONDS", 0.05)
    server = _server([503, 503, 200])
    marker = tmp_path / "loaded"
    url = f"http://127.0.0.1:{server.server_address[1]}/readyz"
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('x')"]
    thread = dev_ready.announce_then_run(
        ready_url=url, site_url="http://localhost:9/", after=[command], cwd=tmp_path, env=None
    )
    thread.join(timeout=30)
    server.shutdown()
    assert not thread.is_alive() and marker.read_text() == "x"
    out = capsys.readouterr().out
    assert "Ready: http://localhost:9/" in out and out.count("Ready") == 1


def test_waiting_gives_up_and_says_so_without_running_the_loaders(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dev_ready, "wait_until_ready", lambda url: False)
    marker = tmp_path / "loaded"
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('x')"]
    dev_ready.announce_then_run(ready_url="http://127.0.0.1:9/readyz", site_url="x", after=[command], cwd=tmp_path,
                                env=None).join(timeout=10)  # fmt: skip
    assert not marker.exists()
    out = capsys.readouterr().out
    assert "did not answer http://127.0.0.1:9/readyz" in out and "Ready" not in out


def test_wait_until_ready_polls_until_the_probe_answers():
    answers = iter([False, False, True])
    assert dev_ready.wait_until_ready("u", probe=lambda url: next(answers), poll=0) is True
    assert dev_ready.wait_until_ready("u", probe=lambda url: False, timeout=0.05, poll=0.01) is False


def test_the_demo_loaders_are_the_ones_the_environment_asks_for():
    both = _demo_after_start({"PAWPACT_WAREHOUSE_SECRET": "s", "PAWPACT_FAKE_DEMO_MERCHANTS": "m"})
    assert [command[2:] for command in both] == [
        ["load_demo_goods", "--wait", "90"],
        ["load_demo_providers", "--wait", "90"],
    ]
    assert _demo_after_start({}) == []
