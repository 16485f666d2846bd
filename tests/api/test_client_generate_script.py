"""`clients/python/generate http://<shop>.localhost:<port>` reads the schema itself, calling a
`*.localhost` shop on 127.0.0.1 with its name in `Host` (such names resolve in browsers only),
and hands the generator that shop's schema; an unreachable address fails with a message."""
import json
import subprocess
from pathlib import Path

from django.core.cache import cache

from tests.browser import app_server
from tests.conftest import host_of

SCRIPT = Path(__file__).resolve().parents[2] / "clients" / "python" / "generate"


def _fake_generator(tmp_path: Path) -> tuple[Path, Path]:
    """Stands in for openapi-python-client (slow, run by test_python_client): keeps the file it is given."""
    kept = tmp_path / "given.json"
    fake = tmp_path / "generator"
    fake.write_text(f'#!/bin/sh\n[ "$1" = generate ] && [ "$2" = --path ] && cp "$3" "{kept}"\n')
    fake.chmod(0o755)
    return fake, kept


def test_a_shop_url_on_localhost_is_read_with_its_host(shop, monkeypatch, tmp_path):
    cache.clear()
    fake, kept = _fake_generator(tmp_path)
    with app_server(monkeypatch) as server:
        url = f"http://{host_of(shop)}:{server.port}"
        run = subprocess.run([str(SCRIPT), url], env={"PATH": "/usr/bin:/bin", "OPENAPI_PYTHON_CLIENT": str(fake)},
                             capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    schema = json.loads(kept.read_text())
    assert schema["info"]["title"] == "Pawpact shop API" and "/api/v1/contracts" in schema["paths"]


def test_an_unreachable_shop_fails_with_a_message(tmp_path):
    fake, kept = _fake_generator(tmp_path)
    run = subprocess.run([str(SCRIPT), "http://nowhere.localhost:9"], env={"PATH": "/usr/bin:/bin",
                         "OPENAPI_PYTHON_CLIENT": str(fake)}, capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert run.returncode != 0 and "Could not read the schema at http://nowhere.localhost:9" in run.stderr
    assert not kept.exists()
