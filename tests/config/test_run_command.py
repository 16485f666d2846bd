"""`./dev run`: listens on 127.0.0.1 unless asked, says in one line when the port is
busy, runs with DEBUG off and a secret key of its own. No database: these tests read
files and run subprocesses that stop before starting any server."""
import os
import shlex
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pawpact.config.devstack import exposure_refusal, exposure_warnings
from pawpact.config.listen import ListenAddress, ListenAddressInvalid, listen_address, listen_problem
from pawpact.config.local_state import secret_key_get, secret_read_or_create

ROOT = Path(__file__).resolve().parents[2]
OLD_SECRET_KEY = "dev-only-not-secret-pawpact"  # what every checkout used before


def _env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAWPACT_", "DJANGO_"))}
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def _web_command() -> list[str]:
    line = next(x for x in (ROOT / "deploy" / "Procfile").read_text().splitlines() if x.startswith("web:"))
    return shlex.split(line.partition(":")[2])


def _gunicorn_config(**env: str) -> list[str]:
    """gunicorn's settings, from the Procfile's very `web` command."""
    command = _web_command()
    command[0] = str(Path(sys.executable).parent / command[0])
    result = subprocess.run(
        [*command, "--print-config"], cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _gunicorn_bind(**env: str) -> str:
    """The address gunicorn would listen on."""
    return next(line for line in _gunicorn_config(**env) if line.startswith("bind "))


def test_gunicorn_opens_no_control_socket_at_a_path_every_checkout_shares():
    config = _gunicorn_config()
    assert any(line.replace(" ", "") == "control_socket_disable=True" for line in config), config


def test_gunicorn_logs_in_the_settings_time_zone_like_its_workers():
    probe = "import os, pawpact.config.gunicorn, time; print(os.environ['TZ'], time.strftime('%z'))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=_env(TZ="UTC"), capture_output=True, text=True)
    assert result.stdout.split() == ["Asia/Shanghai", "+0800"], result.stderr


def test_the_web_server_listens_on_loopback_by_default():
    assert listen_address({}) == ListenAddress("127.0.0.1", 8000)
    assert listen_address({}).bind == "127.0.0.1:8000" and listen_address({}).is_loopback
    assert _gunicorn_bind() == "bind                               = ['127.0.0.1:8000']"


def test_the_port_and_another_address_come_from_the_environment_or_the_flag():
    assert listen_address({"PAWPACT_PORT": "8123"}) == ListenAddress("127.0.0.1", 8123)
    assert listen_address({"PAWPACT_BIND": "0.0.0.0:8000"}) == ListenAddress("0.0.0.0", 8000, "PAWPACT_BIND")
    assert listen_address({"PAWPACT_BIND": "0.0.0.0", "PAWPACT_PORT": "9000"}) == ListenAddress("0.0.0.0", 9000)
    assert listen_address({"PAWPACT_BIND": "0.0.0.0:1"}, bind="[::]:8001") == ListenAddress("::", 8001, "--bind")
    assert listen_address({}, bind="[::]:8001").bind == "[::]:8001"
    assert not listen_address({}, bind="0.0.0.0").is_loopback
    assert _gunicorn_bind(PAWPACT_PORT="8123") == "bind                               = ['127.0.0.1:8123']"
    assert _gunicorn_bind(PAWPACT_BIND="0.0.0.0:8000") == "bind                               = ['0.0.0.0:8000']"


@pytest.mark.parametrize(
    "environ, message",
    [({"PAWPACT_PORT": "eighty"}, "PAWPACT_PORT: 'eighty' is not a port number (1-65535)."),
     ({"PAWPACT_BIND": "0.0.0.0:70000"}, "PAWPACT_BIND: '70000' is not a port number (1-65535)."),
     ({"PAWPACT_BIND": ":8000"}, "PAWPACT_BIND=:8000 names no address; try 127.0.0.1 or 0.0.0.0."),
     ({"PAWPACT_BIND": "0.0.0.0:9000", "PAWPACT_PORT": "8000"},
      "PAWPACT_BIND=0.0.0.0:9000 and PAWPACT_PORT=8000 name two ports; give the port once.")],
)  # fmt: skip
def test_a_wrong_address_is_named(environ, message):
    with pytest.raises(ListenAddressInvalid) as error:
        listen_address(environ)
    assert str(error.value) == message


def test_the_image_and_compose_listen_on_every_interface_with_the_same_command():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "PAWPACT_BIND=0.0.0.0:8000" in dockerfile
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]["web"]
    assert compose["environment"]["PAWPACT_BIND"] == "0.0.0.0:8000"
    assert "--bind" not in _web_command()


@pytest.fixture
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _run_command(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pawpact.config.devstack", *args],
        cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_busy_port_stops_the_run_command_with_one_line_naming_port_and_variable(busy_port):
    result = _run_command(PAWPACT_PORT=str(busy_port))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Port {busy_port} is already in use on 127.0.0.1: stop what uses it, or choose another port "
        f"with PAWPACT_PORT (e.g. PAWPACT_PORT={busy_port + 1} ./dev run).\n"
    )


def test_a_busy_port_given_with_the_flag_names_the_flag(busy_port):
    result = _run_command("--bind", f"127.0.0.1:{busy_port}")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"Port {busy_port} is already in use on 127.0.0.1: stop what uses it, or choose another port "
        f"with --bind (e.g. ./dev run --bind 127.0.0.1:{busy_port + 1}).\n"
    )


def test_a_free_port_has_no_problem(busy_port):
    assert listen_problem(ListenAddress("127.0.0.1", busy_port)) is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert listen_problem(ListenAddress("127.0.0.1", free)) is None


def test_listening_beyond_this_machine_warns_when_demo_logins_exist(tmp_path):
    everyone, local = ListenAddress("0.0.0.0", 8000), ListenAddress("127.0.0.1", 8000)
    assert exposure_warnings(everyone, {}, tmp_path) == []  # no demo logins made yet
    (tmp_path / "demo-password").write_text("abcd-efgh-jkmn\n")

    assert exposure_warnings(local, {}, tmp_path) == []
    assert exposure_warnings(everyone, {}, tmp_path) == [
        "Warning: listening on 0.0.0.0:8000: anyone who can reach this machine on port 8000 can try the "
        "demo logins, the platform admin's included.",
    ]


def test_debug_pages_are_never_served_to_other_machines(capsys):
    everyone, local = ListenAddress("0.0.0.0", 8000), ListenAddress("127.0.0.1", 8000)
    assert exposure_refusal(local, {"PAWPACT_DEBUG": "1"}) is None
    assert exposure_refusal(everyone, {}) is None
    assert exposure_refusal(everyone, {"PAWPACT_DEBUG": "1"}) == (
        "PAWPACT_DEBUG=1 is for this machine only: it shows settings and source code to every visitor. "
        "Unset it, or listen on 127.0.0.1 instead of 0.0.0.0:8000."
    )


def test_the_secret_key_is_made_on_first_use_kept_private_and_reused(tmp_path):
    key = secret_key_get(tmp_path)

    assert len(key) >= 50 and key != OLD_SECRET_KEY
    assert (tmp_path / "secret-key").read_text() == key + "\n"
    assert stat.S_IMODE((tmp_path / "secret-key").stat().st_mode) == 0o600
    assert secret_key_get(tmp_path) == key
    assert secret_key_get(tmp_path / "another-checkout") != key
    assert secret_read_or_create(tmp_path / "secret-key", lambda: "never used") == (key, False)
    assert sorted(tmp_path.iterdir()) == [tmp_path / "another-checkout", tmp_path / "secret-key"]  # no drafts left


def _run_settings(state_dir: Path, **env: str) -> list[str]:
    """DEBUG and SECRET_KEY as the run command's processes see them."""
    code = "from django.conf import settings; print(settings.DEBUG); print(settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=_env(DJANGO_SETTINGS_MODULE="pawpact.config.settings.base", PAWPACT_STATE_DIR=str(state_dir), **env),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_run_command_has_debug_off_and_its_own_secret_key(tmp_path):
    debug, key = _run_settings(tmp_path)

    assert debug == "False"
    assert key == (tmp_path / "secret-key").read_text().strip() and key != OLD_SECRET_KEY
    assert _run_settings(tmp_path) == ["False", key]  # the next start: the same key
    assert _run_settings(tmp_path, PAWPACT_DEBUG="1") == ["True", key]
    assert _run_settings(tmp_path, DJANGO_DEBUG="1") == ["False", key]  # the old switch no longer turns it on
