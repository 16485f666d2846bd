"""Someone who clones the repository finds the documentation and the licence inside it."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("docs/product.md", "docs/architecture.md", "docs/kpis.md", "docs/operations.md")
# Written on another branch; drop it from here once it is merged.


def _links(path: Path) -> list[str]:
    return re.findall(r"\]\(([^)#\s]+)", path.read_text(encoding="utf-8"))


def test_the_readme_points_to_the_docs_inside_the_repository():
    readme = ROOT / "README.md"
    links = [link for link in _links(readme) if not link.startswith(("http://", "https://"))]

    assert set(DOCS) <= set(links)
    assert "../" not in readme.read_text() and "/work/" not in readme.read_text()
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_the_docs_link_only_to_files_of_the_repository():
    for name in ("docs/product.md", "docs/operations.md"):
        for link in _links(ROOT / name):
            if not link.startswith(("http://", "https://")):
                target = (ROOT / name).parent / link
                assert target.resolve().is_relative_to(ROOT), (name, link)
                assert target.exists(), (name, link)


def test_apache_licence_in_the_repository_and_the_package_metadata():
    licence = (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert licence.split("\n")[:2] == ["                                 Apache License",
                                       "                           Version 2.0, January 2004"]  # fmt: skip
    assert "END OF TERMS AND CONDITIONS" in licence and len(licence.splitlines()) == 201
    assert (project["license"], project["license-files"]) == ("Apache-2.0", ["LICENSE"])
