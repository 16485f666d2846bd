"""The shape of the code base: one-way layers, module size, no import hidden in a function."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules():
    for path in sorted((ROOT / "pawpact").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT).as_posix(), path


def test_import_contracts_hold():
    """The layers, and the platform and payments kept apart from the shop apps (pyproject.toml)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_no_module_is_over_500_lines():
    sizes = {name: len(path.read_text().splitlines()) for name, path in _modules()}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES} == {}


def test_no_function_is_over_60_lines():
    long = []
    for name, path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}:{node.name} ({lines} lines)")
    assert long == []


def test_no_project_import_hides_inside_a_function():
    """A function-level import of a project module would dodge the layer contracts' cycle checks
    in review."""
    hidden = []
    for name, path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    module = getattr(inner, "module", None) if isinstance(inner, ast.ImportFrom) else None
                    names = [alias.name for alias in inner.names] if isinstance(inner, ast.Import) else []
                    if (module or "").startswith("pawpact") or any(n.startswith("pawpact") for n in names):
                        hidden.append(f"{name}:{inner.lineno}")
    assert hidden == []


def test_every_domain_error_is_defined_in_an_errors_module():
    """So the API's error catalogue (pawpact.api.catalogue imports every `errors` module) sees them all."""
    from pawpact.api.catalogue import domain_error_classes

    strays = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in domain_error_classes()
        if not cls.__module__.endswith(".errors") and cls.__module__ != "pawpact.core.errors"
    )
    assert strays == []
