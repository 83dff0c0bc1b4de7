"""The web layer has one direction: the API's and the pages' views depend on webapp.context and
webapp.responses (and on geo/), never on each other, anywhere in the module (imports inside a
function count too)."""

import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
VIEWS = ("api", "pages", "tiles")
SHARED = ("context", "responses")


def webapp_imports(module: str) -> set[str]:
    """The webapp modules ``module`` imports, by their short name."""
    tree = ast.parse((WEBAPP / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom):  # relative: from . import api / from .pages import x
            base = node.module or ""
            names = [f"webapp.{base}"] if base else [f"webapp.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "webapp" and len(parts) > 1 and (WEBAPP / f"{parts[1]}.py").exists():
                found.add(parts[1])
    return found


@pytest.mark.parametrize("module", VIEWS)
def test_views_do_not_import_each_other(module):
    others = set(VIEWS) - {module}
    assert not webapp_imports(module) & others, f"webapp/{module}.py imports {webapp_imports(module) & others}"


@pytest.mark.parametrize("module", SHARED)
def test_shared_helpers_import_no_view(module):
    assert not webapp_imports(module) & set(VIEWS)


def test_the_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    """The check itself: a function-level import of the pages from the API is caught."""
    (tmp_path / "api.py").write_text("def landing():\n    from webapp.pages import map_page\n    return map_page()\n")
    (tmp_path / "pages.py").write_text("from webapp import api\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["WEBAPP"]), "WEBAPP", tmp_path)
    assert webapp_imports("api") == {"pages"} and webapp_imports("pages") == {"api"}
