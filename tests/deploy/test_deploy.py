"""The deployment files agree with deploy/Procfile, and the production settings pass
`check --deploy`. No database: these tests only read files and run subprocesses."""
import json
import os
import secrets
import shlex
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("release", "web", "worker", "beat")
PRODUCTION = "pawpact.config.settings.production"


def procfile() -> dict[str, str]:
    commands = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        commands[name.strip()] = command.strip()
    return commands


def compose_services() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def environment_of(service: dict) -> dict[str, str]:
    """Compose allows the environment as a mapping or as a list of KEY=VALUE."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return env


def production_env(**overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    alphabet = string.ascii_letters + string.digits + "!@%^&*(-_=+)"
    env.update(
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        DATABASE_URL="postgres://u:p@db:5432/x",
        REDIS_URL="redis://r:6379/0",
        PAWPACT_BASE_DOMAIN="pawpact.example",
    )
    env.pop("DJANGO_SECURE_SSL_REDIRECT", None)
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_procfile_has_the_four_processes():
    assert set(APP_SERVICES) <= set(procfile())


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_command_is_the_procfile_command(name):
    assert compose_services()[name]["command"] == procfile()[name]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_database_and_redis(name):
    env = environment_of(compose_services()[name])
    assert env.get("DATABASE_URL", "").startswith("postgres://")
    assert env.get("REDIS_URL", "").startswith("redis://")
    assert "DJANGO_SECRET_KEY" in env


def test_compose_has_postgres_and_redis():
    services = compose_services()
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


@pytest.mark.parametrize("name", ("web", "worker", "beat"))
def test_long_running_services_wait_for_release(name):
    depends_on = compose_services()[name]["depends_on"]
    assert depends_on["release"]["condition"] == "service_completed_successfully"


def test_dockerfile_cmd_is_the_procfile_web_command():
    # Join continuation lines, then take the last CMD (the one that counts).
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    cmds = [line.strip()[3:].strip() for line in text.splitlines() if line.strip().startswith("CMD ")]
    assert cmds, "Dockerfile has no CMD"
    cmd = cmds[-1]
    argv = json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)
    assert argv == shlex.split(procfile()["web"])


def test_check_deploy_reports_no_issues():
    result = manage("check", "--deploy", f"--settings={PRODUCTION}", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_production_settings_refuse_to_load_without_secret_key():
    result = manage("check", f"--settings={PRODUCTION}", env=production_env(DJANGO_SECRET_KEY=None))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stdout + result.stderr


def test_production_settings_refuse_a_weak_secret_key():
    weak = "django-insecure-" + "x" * 60
    result = manage("check", f"--settings={PRODUCTION}", env=production_env(DJANGO_SECRET_KEY=weak))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stdout + result.stderr


@pytest.mark.parametrize("name", ("web", "worker", "beat"))
def test_processes_reach_postgres_through_pgbouncer_in_transaction_mode(name):
    services = compose_services()
    env = environment_of(services[name])
    assert "@pgbouncer:5432/" in env["DATABASE_URL"] and env["DATABASE_TRANSACTION_POOLING"] == "1"
    assert environment_of(services["pgbouncer"])["POOL_MODE"] == "transaction"
    assert "@postgres:5432/" in environment_of(services["pgbouncer"])["DATABASE_URL"]


def test_release_migrates_over_a_direct_connection():
    env = environment_of(compose_services()["release"])
    assert "@postgres:5432/" in env["DATABASE_URL"] and env["DATABASE_TRANSACTION_POOLING"] == "0"


def _images() -> list[str]:
    images = [service["image"] for service in compose_services().values() if "image" in service]
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            spec = (doc or {}).get("spec", {}).get("template", {}).get("spec", {})
            images += [c["image"] for c in spec.get("containers", []) + spec.get("initContainers", [])]
    return images


def test_every_image_is_pinned_to_a_version():
    images = _images()
    assert len(images) >= 10
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and tag and tag != "latest", image


def test_the_documented_compose_command_sets_every_required_variable():
    import re

    required = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "compose.yaml").read_text()))
    doc = (ROOT / "docs" / "operations.md").read_text()
    command = doc[doc.index("docker compose -f deploy/compose.yaml up") - 400 : doc.index("docker compose -f deploy/compose.yaml up")]
    assert required == {"DJANGO_SECRET_KEY", "PAWPACT_WAREHOUSE_SECRET"}
    assert all(f"{name}=" in command for name in required)
    assert set(compose_services()) == {"postgres", "redis", "pgbouncer", "release", "web", "worker", "beat", "warehouse"}
    assert all(word in doc for word in ("pgbouncer", "sandbox partner warehouse", "./dev test tests/deploy", "Not run here"))


def test_the_citus_migrate_command_uses_the_variable_the_app_reads():
    comment = (DEPLOY / "citus" / "compose.yaml").read_text().split("services:")[0]
    command = next(line for line in comment.splitlines() if "migrate_platform" in line)
    assert command.strip("# ").startswith("DATABASE_URL=postgres://")
    settings_text = (ROOT / "pawpact" / "config" / "settings" / "base.py").read_text()
    assert 'os.environ.get("DATABASE_URL"' in settings_text and "DATABASE_DIRECT_URL" not in settings_text
