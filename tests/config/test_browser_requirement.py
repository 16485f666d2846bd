"""Browser tests are skipped, with a clear line, where no browser is installed; under
PAWPACT_REQUIRE_BROWSER=1 (CI) such a skip fails the run. Runs pytest on a sample file
with this suite's conftest; no database."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = '''
import pytest

NO_BROWSER = "no browser: /usr/bin/chromium is missing (Debian: apt-get install chromium)"


@pytest.mark.browser
@pytest.mark.skipif(True, reason=NO_BROWSER)
def test_in_a_browser():
    pass


@pytest.mark.skipif(True, reason="not a browser test")
def test_skipped_for_another_reason():
    pass


def test_plain():
    pass
'''


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    environ = {k: v for k, v in os.environ.items() if k != "PAWPACT_REQUIRE_BROWSER"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT),
         "-p", "tests.conftest", "-q", str(tmp_path / "test_sample.py")],
        cwd=ROOT, env={**environ, "DJANGO_SETTINGS_MODULE": "pawpact.config.settings.test", **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_without_a_browser_the_browser_tests_are_skipped_with_a_clear_line(tmp_path):
    result = _pytest(tmp_path)

    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in result.stdout
    assert (
        "1 browser test(s) skipped: no browser: /usr/bin/chromium is missing (Debian: apt-get install chromium). "
        "CI runs them (PAWPACT_REQUIRE_BROWSER=1 fails the run instead of skipping)."
    ) in result.stdout


def test_under_the_ci_flag_a_skipped_browser_test_fails_the_run(tmp_path):
    result = _pytest(tmp_path, PAWPACT_REQUIRE_BROWSER="1")

    assert result.returncode == 1, result.stdout
    assert "1 passed, 1 skipped, 1 error" in result.stdout  # the skip happened while setting up: an error
    assert (
        "PAWPACT_REQUIRE_BROWSER=1, yet this browser test was skipped: "
        "no browser: /usr/bin/chromium is missing (Debian: apt-get install chromium)"
    ) in result.stdout


def test_ci_installs_chromium_and_runs_the_readmes_test_command_with_browsers_required():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]

    assert commands[-2:] == ["export PAWPACT_REQUIRE_BROWSER=1", "./dev test"]
    assert "./dev test    # the test suite" in (ROOT / "README.md").read_text()
    # pgbouncer: the connection-pooling tests run through Debian's (tests/core/test_transaction_pooling.py).
    assert 'for package in chromium fonts-noto-cjk pgbouncer; do' in commands
    assert 'apt-get install -y "${missing[@]}"' in commands
