"""The API's shape: pawpact/api/v1/<domain>/{serializers,views,urls}.py, each file holding
only what its name says, and no domain borrowing from another (shared helpers live in
pawpact/api/ itself)."""
import ast
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "pawpact" / "api"
V1 = API / "v1"
DOMAIN_FILES = {"__init__.py", "serializers.py", "views.py", "urls.py"}
URL_FUNCTIONS = {"path", "re_path", "include"}


def _packages(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.rglob("__init__.py") if path.parent != root)


def _modules() -> list[Path]:
    return sorted(API.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Attribute):
            names.add(base.attr)
        elif isinstance(base, ast.Name):
            names.add(base.id)
    return names


def _is_view(node: ast.ClassDef) -> bool:
    return node.name.endswith("Api") or any(name.endswith(("APIView", "View", "ViewSet")) for name in _base_names(node))


def _is_serializer(node: ast.ClassDef) -> bool:
    return node.name.endswith("Serializer") or any(name.endswith("Serializer") for name in _base_names(node))


def _defines_urlpatterns(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(target, ast.Name) and target.id == "urlpatterns" for target in targets):
            return True
    return False


def _calls_url_functions(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in URL_FUNCTIONS
        for node in ast.walk(tree)
    )


def _classes(tree: ast.Module) -> list[ast.ClassDef]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def _relative(path: Path) -> str:
    return str(path.relative_to(API.parent.parent))


def test_v1_holds_only_domain_packages():
    assert {path.name for path in V1.iterdir() if path.is_file()} == {"__init__.py"}
    assert _packages(V1), "no domain packages found"


@pytest.mark.parametrize("package", _packages(V1), ids=lambda path: str(path.relative_to(V1)))
def test_domain_package_has_the_one_shape(package: Path):
    files = {path.name for path in package.iterdir() if path.is_file() and path.suffix == ".py"}
    assert files <= DOMAIN_FILES, f"{_relative(package)}: unexpected {sorted(files - DOMAIN_FILES)}"
    for directory in (path for path in package.iterdir() if path.is_dir() and path.name != "__pycache__"):
        assert (directory / "__init__.py").exists(), f"{_relative(directory)} is not a package"


def test_every_view_is_in_a_views_module_and_named_entity_action_api():
    misplaced, misnamed = [], []
    for module in _modules():
        for node in _classes(_tree(module)):
            if _is_view(node) and module.name != "views.py":
                misplaced.append(f"{_relative(module)}: {node.name}")
            if module.name == "views.py" and not node.name.endswith("Api"):
                misnamed.append(f"{_relative(module)}: {node.name}")
    assert misplaced == [], "views outside views.py"
    assert misnamed == [], "classes in views.py that are not views named <Entity><Action>Api"


def test_every_serializer_is_in_a_serializers_module():
    misplaced, strangers = [], []
    for module in _modules():
        for node in _classes(_tree(module)):
            if _is_serializer(node) and module.name != "serializers.py":
                misplaced.append(f"{_relative(module)}: {node.name}")
            if module.name == "serializers.py" and not _is_serializer(node) and node.name != "Meta":
                strangers.append(f"{_relative(module)}: {node.name}")
    assert misplaced == [], "serializers outside serializers.py"
    assert strangers == [], "classes in serializers.py that are not serializers"


def test_url_patterns_are_only_in_urls_modules():
    offenders = []
    for module in _modules():
        tree = _tree(module)
        if module.name != "urls.py" and (_defines_urlpatterns(tree) or _calls_url_functions(tree)):
            offenders.append(_relative(module))
        if module.name == "urls.py" and not _defines_urlpatterns(tree):
            offenders.append(f"{_relative(module)} (no urlpatterns)")
        if module.name == "urls.py" and any(isinstance(node, (ast.ClassDef, ast.FunctionDef)) for node in tree.body):
            offenders.append(f"{_relative(module)} (defines a class or function)")
    assert offenders == []


@pytest.mark.parametrize("package", _packages(V1), ids=lambda path: str(path.relative_to(V1)))
def test_a_domain_imports_no_other_domain(package: Path):
    own = "pawpact.api.v1." + package.relative_to(V1).parts[0]
    borrowed = []
    for module in sorted(package.rglob("*.py")):
        for node in ast.walk(_tree(module)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            borrowed += [
                f"{_relative(module)}: {name}"
                for name in names
                if name.startswith("pawpact.api.v1.") and not (name == own or name.startswith(own + "."))
            ]
    assert borrowed == [], "shared helpers belong in pawpact/api/, not in another domain's package"


def test_the_checks_see_what_they_look_for():
    mixed = ast.parse(
        "from rest_framework import serializers\n"
        "from rest_framework.views import APIView\n"
        "class ThingSerializer(serializers.Serializer): pass\n"
        "class ThingList(APIView): pass\n"
        "urlpatterns = [path('things', ThingList.as_view())]\n"
    )
    serializer, view = _classes(mixed)
    assert (_is_serializer(serializer), _is_view(serializer)) == (True, False)
    assert (_is_serializer(view), _is_view(view)) == (False, True)
    assert _defines_urlpatterns(mixed) and _calls_url_functions(mixed)
    assert not _defines_urlpatterns(ast.parse("patterns = []"))
